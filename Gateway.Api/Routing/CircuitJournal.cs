using System.Threading.Channels;
using Marten;

namespace Gateway.Api.Routing;

/// <summary>
/// Writes circuit-breaker state changes as events on the target model's stream, off the request path: a breaker
/// opening must never make a request wait on PostgreSQL.
/// </summary>
public sealed class CircuitJournal(IDocumentStore store, ILogger<CircuitJournal> logger) : BackgroundService
{
    readonly Channel<(Guid ModelId, object Event)> pending = Channel.CreateUnbounded<(Guid, object)>(new() { SingleReader = true });

    public void Append(Guid modelId, object @event) => pending.Writer.TryWrite((modelId, @event));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = pending.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await using var session = store.LightweightSession();
                while (reader.TryRead(out var item)) session.Events.Append(item.ModelId, item.Event);
                try
                {
                    await session.SaveChangesAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("Circuit-breaker events could not be recorded: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: state changes not yet written are lost, the breakers themselves are in memory anyway.
        }
    }
}
