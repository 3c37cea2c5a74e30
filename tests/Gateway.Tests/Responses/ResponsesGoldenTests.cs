using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Api.OpenAi;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Responses;
using Gateway.Domain.Requests;

namespace Gateway.Tests.Responses;

/// <summary>
/// The Responses ↔ chat translation against reviewed golden files (Golden/responses/): a rich request, an answer with
/// text and a tool call, the same as a stream, a stream that breaks off, and a request the translation refuses. A
/// changed translation fails here until its golden file is reviewed again (<c>GOLDEN_WRITE=1</c> rewrites them).
/// </summary>
public class ResponsesGoldenTests
{
    const string Model = "mock/gpt-golden";
    static readonly Guid RequestId = Guid.Parse("019af000-0000-7000-8000-000000000001");
    static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1765000000);

    [Fact]
    public void a_rich_request_becomes_this_chat_request()
    {
        var output = new ArrayBufferWriter<byte>();
        var head = ResponsesRequest.Write(Golden("request.json"), output);

        Assert.True(head.Stream);
        Assert.True(head.Store);
        Matches("request.chat.json", output.WrittenSpan);
    }

    [Fact]
    public void a_continued_request_puts_the_stored_conversation_before_its_own_input()
    {
        var history = JsonSerializer.Deserialize<JsonElement>("""[{"role":"user","content":"My name is Ada."},{"role":"assistant","content":"Hello Ada."}]""");
        var output = new ArrayBufferWriter<byte>();
        ResponsesRequest.Write(Encoding.UTF8.GetBytes("""{"model":"m","instructions":"Be brief.","input":"What is my name?","previous_response_id":"resp_x"}"""), output, history);

        var messages = JsonNode.Parse(output.WrittenSpan)!["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "user"], messages.Select(m => (string)m!["role"]!));
        Assert.Equal("What is my name?", (string)messages[3]!["content"]!);
    }

    [Fact]
    public void an_answer_with_text_and_a_tool_call_becomes_this_response()
    {
        using var request = JsonDocument.Parse(Golden("request.json"));
        var response = new ResponseObject(RequestId, Created, request.RootElement);
        var (answer, usage, reasoning, model) = ResponsesResponse.Read(Golden("response.chat.json"), response);
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output)) response.Write(json, model!, "completed", answer, usage, reasoning);

        Matches("response.json", output.WrittenSpan);
    }

    [Fact]
    public void a_streamed_answer_becomes_this_event_sequence()
    {
        var events = Stream(encoder => encoder.Complete(new TokenUsage(120, 30), Sink), chunks: int.MaxValue);
        Matches("stream.events.json", Encoding.UTF8.GetBytes(events));
    }

    [Fact]
    public void a_stream_that_breaks_off_ends_with_response_failed()
    {
        var events = Stream(encoder => encoder.Fail(502, "Provider 'mock' broke off the stream.", Sink), chunks: 3);
        Matches("stream-failed.events.json", Encoding.UTF8.GetBytes(events));
    }

    [Fact]
    public void a_request_with_a_tool_only_openai_serves_gets_this_error()
    {
        var body = """{"model":"m","input":"hi","tools":[{"type":"web_search"}]}"""u8.ToArray();
        var refused = Assert.Throws<TranslationException>(() => ResponsesRequest.Write(body, new ArrayBufferWriter<byte>()));

        Matches("error.json", OpenAiError.Serialize(refused.Message, ErrorTypes.InvalidRequest, "invalid_value", refused.Param));
    }

    static readonly ArrayBufferWriter<byte> Sink = new();

    /// <summary>Runs the golden chunks (the first <paramref name="chunks"/>) through an encoder, then <paramref name="end"/>; returns the events as a JSON array.</summary>
    static string Stream(Action<ResponsesStreamEncoder> end, int chunks)
    {
        Sink.Clear();
        using var request = JsonDocument.Parse("""{"model":"m","input":"Weather tomorrow?","stream":true}""");
        var encoder = new ResponsesStreamEncoder(new ResponseObject(RequestId, Created, request.RootElement), Model);
        encoder.Start(Sink);
        using var all = JsonDocument.Parse(Golden("stream.chunks.json"));
        foreach (var chunk in all.RootElement.EnumerateArray().Take(chunks)) encoder.OnChunk(Encoding.UTF8.GetBytes(chunk.GetRawText()), Sink);
        end(encoder);
        var events = new JsonArray();
        foreach (var frame in Encoding.UTF8.GetString(Sink.WrittenSpan).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Split('\n');
            events.Add(new JsonObject
            {
                ["event"] = lines.Single(l => l.StartsWith("event: "))["event: ".Length..],
                ["data"] = JsonNode.Parse(lines.Single(l => l.StartsWith("data: "))["data: ".Length..]),
            });
        }
        return events.ToJsonString();
    }

    static byte[] Golden(string file) =>
        Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "responses", file)).Replace("{model}", Model));

    static void Matches(string file, ReadOnlySpan<byte> actualJson)
    {
        var actual = JsonNode.Parse(actualJson)!;
        if (Environment.GetEnvironmentVariable("GOLDEN_WRITE") == "1")
        {
            var source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Golden", "responses", file);
            File.WriteAllText(source, actual.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Replace(Model, "{model}") + "\n");
            return;
        }
        var expected = JsonNode.Parse(Golden(file))!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{file}: expected {expected.ToJsonString()}\n but got {actual.ToJsonString()}");
    }
}
