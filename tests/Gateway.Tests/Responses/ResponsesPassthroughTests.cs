using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Api.Responses;

namespace Gateway.Tests.Responses;

/// <summary>What the gateway changes in a passed-through Responses body and answer, and nothing else.</summary>
public class ResponsesPassthroughTests
{
    static string Body(string json, JsonElement history = default)
    {
        var output = new ArrayBufferWriter<byte>();
        ResponsesPassthrough.WriteBody(Encoding.UTF8.GetBytes(json), "up-model", history, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void a_body_keeps_every_field_as_written_but_model_store_and_previous_response_id()
    {
        var sent = Body("""{"model":"pub/m","input":[{"role":"user","content":"h\u00e9 \"x\""}],"store":true,"tools":[{"type":"web_search"}],"previous_response_id":null,"te\u0073t":1.50,"include":["reasoning.encrypted_content"]}""");

        Assert.Equal("""{"model":"up-model","input":[{"role":"user","content":"h\u00e9 \"x\""}],"tools":[{"type":"web_search"}],"test":1.50,"include":["reasoning.encrypted_content"],"store":false}""", sent);
    }

    [Fact]
    public void a_continued_conversation_goes_first_as_items()
    {
        var history = JsonDocument.Parse("""
            [{"role":"user","content":"Weather?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"18 degrees"},
             {"role":"assistant","content":"It is 18."}]
            """).RootElement;

        var sent = JsonDocument.Parse(Body("""{"model":"pub/m","input":"And tomorrow?","previous_response_id":"resp_1"}""", history)).RootElement;

        Assert.False(sent.TryGetProperty("previous_response_id", out _));
        Assert.False(sent.GetProperty("store").GetBoolean());
        var items = sent.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "function_call", "function_call_output", "message", "message"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("call_1", items[1].GetProperty("call_id").GetString());
        Assert.Equal("18 degrees", items[2].GetProperty("output").GetString());
        Assert.Equal("It is 18.", items[3].GetProperty("content").GetString());
        Assert.Equal("And tomorrow?", items[4].GetProperty("content").GetString());
    }

    [Fact]
    public void an_answer_takes_the_gateways_id_model_store_and_previous_response_and_keeps_the_rest_byte_for_byte()
    {
        const string upstream = """{"id":"resp_up","object":"response","model":"up-model","output":[{"id":"msg_1","type":"message","content":[{"type":"output_text","text":"hi","annotations":[]}]}],"previous_response_id":null,"store":false,"metadata":{"id":"keep"}}""";
        var output = new ArrayBufferWriter<byte>();

        ResponsesPassthrough.Splice(Encoding.UTF8.GetBytes(upstream), 1, "resp_gw", "pub/m", true, "resp_prev", output);

        Assert.Equal("""{"id":"resp_gw","object":"response","model":"pub/m","output":[{"id":"msg_1","type":"message","content":[{"type":"output_text","text":"hi","annotations":[]}]}],"previous_response_id":"resp_prev","store":true,"metadata":{"id":"keep"}}""",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
