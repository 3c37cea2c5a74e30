using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Faults;

/// <summary>Text no provider accepts is refused with a 400 in the endpoint's own error shape, never a 500 or a 502.</summary>
[Collection(GatewayCollection.Name)]
public class HostileBodyTests(GatewayFixture gateway)
{
    const string LoneHigh = "\\ud800";
    const string LoneLow = "\\udc00";

    public static TheoryData<string, string> LoneSurrogates => new()
    {
        { "/v1/chat/completions", $$"""{"model":"a{{LoneHigh}}b","messages":[{"role":"user","content":"hi"}]}""" },
        { "/v1/chat/completions", $$"""{"model":"MODEL","messages":[{"role":"user","content":"text {{LoneLow}} here"}]}""" },
        { "/v1/chat/completions", $$"""{"model":"MODEL","messages":[{"role":"user","content":"ends high {{LoneHigh}}"}]}""" },
        { "/v1/embeddings", $$"""{"model":"x{{LoneHigh}}","input":"hi"}""" },
        { "/v1/messages", $$"""{"model":"m{{LoneLow}}","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""" },
        { "/v1/messages", $$"""{"model":"MODEL","max_tokens":5,"messages":[{"role":"us{{LoneHigh}}er","content":"hi"}]}""" },
        { "/v1/messages", $$"""{"model":"MODEL","max_tokens":5,"messages":[{"role":"user","content":[{"type":"te{{LoneHigh}}xt","text":"hi"}]}]}""" },
        { "/v1/messages", $$"""{"model":"MODEL","max_tokens":5,"messages":[{"role":"user","content":"a {{LoneHigh}} b"}]}""" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task a_lone_surrogate_escape_anywhere_is_a_400_in_the_endpoints_shape(string path, string json)
    {
        var (status, body, response) = await PostAsync(path, Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertShape(path, body, "surrogate");
        Assert.True(response.Headers.Contains("x-request-id"));
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    [InlineData("/v1/messages")]
    public async Task a_nul_escape_which_postgresql_cannot_store_is_a_400_not_an_unrecordable_request(string path)
    {
        var (status, body, response) = await PostAsync(path, Encoding.UTF8.GetBytes("""{"model":"a\u0000b","max_tokens":5,"input":"x","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertShape(path, body, "NUL");
        Assert.True(response.Headers.Contains("x-request-id"));
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    [InlineData("/v1/messages")]
    public async Task invalid_utf8_in_the_body_is_a_400_in_the_endpoints_shape(string path)
    {
        var head = Encoding.UTF8.GetBytes("""{"model":"MODEL","max_tokens":5,"input":"x","messages":[{"role":"user","content":"bad """);
        var tail = Encoding.UTF8.GetBytes("\"}]}");
        byte[] invalid = [0xC3, 0x28, 0xFF];

        var (status, body, _) = await PostAsync(path, [.. head, .. invalid, .. tail]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertShape(path, body, "UTF-8");
    }

    [Fact]
    public async Task escaped_backslashes_and_paired_surrogates_are_not_mistaken_for_lone_ones()
    {
        // "\\ud800" is a backslash followed by text, and \ud83d\ude00 is one emoji: both valid.
        var json = """{"model":"MODEL","messages":[{"role":"user","content":"path C:\\ud800 and \ud83d\ude00"}]}""";
        var (status, _, _) = await PostAsync("/v1/chat/completions", Encoding.UTF8.GetBytes(json));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task a_body_that_stalls_gets_a_408_in_the_openai_shape_and_is_recorded_as_408()
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);
        client.Timeout = TimeSpan.FromSeconds(20);
        var content = new StreamContent(new StallingStream(Encoding.UTF8.GetBytes("""{"model":"x","messages":[""")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("request_timeout", error.GetProperty("code").GetString());
        var record = Assert.Single(await gateway.RequestsOfAsync(key.Id));
        Assert.Equal(408, record.Status);
    }

    [Theory]
    [InlineData("/v1/messages", "null")]
    [InlineData("/v1/messages", "[1,2]")]
    [InlineData("/v1/messages", "\"text\"")]
    [InlineData("/v1/messages", "42")]
    [InlineData("/v1/messages", """{"model":"MODEL","max_tokens":5,"messages":[1,2]}""")]
    [InlineData("/v1/responses", "null")]
    [InlineData("/v1/responses", "[1,2]")]
    [InlineData("/v1/responses", """{"model":"MODEL","input":[1,2]}""")]
    public async Task a_body_that_is_not_a_request_object_is_a_400_where_a_native_target_could_have_taken_the_rest(string path, string json)
    {
        var (status, body, _) = await PostAsync(path, Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        if (path == "/v1/messages") Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string path, byte[] body)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        // Keep invalid bytes invalid: only the placeholder is replaced, at byte level.
        var bytes = ReplaceBytes(body, "MODEL"u8.ToArray(), Encoding.UTF8.GetBytes(model.PublicId));
        using var client = gateway.Client(key.Secret);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await client.PostAsync(path, content);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, json, response);
    }

    static byte[] ReplaceBytes(byte[] source, byte[] find, byte[] with)
    {
        var at = source.AsSpan().IndexOf(find);
        return at < 0 ? source : [.. source[..at], .. with, .. source[(at + find.Length)..]];
    }

    static void AssertShape(string path, JsonElement body, string mentions)
    {
        if (path == "/v1/messages")
        {
            Assert.Equal("error", body.GetProperty("type").GetString());
            Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
            Assert.Contains(mentions, body.GetProperty("error").GetProperty("message").GetString());
            return;
        }
        var error = body.GetProperty("error");
        Assert.Equal("invalid_json", error.GetProperty("code").GetString());
        Assert.Contains(mentions, error.GetProperty("message").GetString());
    }

    /// <summary>Sends its bytes, then never another one and never the end.</summary>
    sealed class StallingStream(byte[] start) : Stream
    {
        int sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => sent; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (sent < start.Length)
            {
                var n = Math.Min(buffer.Length, start.Length - sent);
                start.AsMemory(sent, n).CopyTo(buffer);
                sent += n;
                return n;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
