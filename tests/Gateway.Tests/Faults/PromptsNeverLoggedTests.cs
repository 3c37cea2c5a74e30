using System.Net;

namespace Gateway.Tests.Faults;

/// <summary>Prompt and answer text live in the bodies table only: a failed commit never writes them to the log.</summary>
[Collection(GatewayCollection.Name)]
public class PromptsNeverLoggedTests(GatewayFixture gateway)
{
    [Fact]
    public async Task when_postgresql_refuses_a_requests_bodies_the_request_is_recorded_and_no_log_line_quotes_its_text()
    {
        var canary = $"canary-prompt-{Guid.NewGuid():N}";
        // PostgreSQL refuses exactly this request's bodies, as it would a value it cannot store.
        await gateway.ExecuteAsync($"""
            create or replace function gateway.refuse_canary() returns trigger language plpgsql as $$
            begin
              if new.request like '%canary-prompt-%' then raise exception 'bodies refused by test'; end if;
              return new;
            end $$;
            drop trigger if exists refuse_canary on gateway.request_bodies;
            create trigger refuse_canary before insert on gateway.request_bodies for each row execute function gateway.refuse_canary();
            """);
        try
        {
            var key = await gateway.NewKeyAsync();
            var model = await gateway.NewModelAsync();
            using var client = gateway.Client(key.Secret);

            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"Tell me about {canary}"));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var record = Assert.Single(await gateway.RequestsOfAsync(key.Id));
            Assert.Equal(200, record.Status);
            Assert.Contains(gateway.Logs.Lines, l => l.Text.Contains("were refused") && l.Text.Contains(record.RequestId.ToString()));
            Assert.DoesNotContain(gateway.Logs.Lines, l => l.Text.Contains(canary));
        }
        finally
        {
            await gateway.ExecuteAsync("drop trigger if exists refuse_canary on gateway.request_bodies");
        }
    }
}
