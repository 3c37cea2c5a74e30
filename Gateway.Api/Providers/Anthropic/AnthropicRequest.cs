using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Anthropic;

/// <summary>An OpenAI chat.completions request → an Anthropic Messages request.</summary>
/// <remarks>
/// Dropped, having no Anthropic counterpart: frequency_penalty, presence_penalty, logit_bias, seed, store, metadata,
/// service_tier, stream_options (the stream translator always reports usage), modalities, audio, prediction,
/// reasoning_effort (a thinking budget is a different knob), web_search_options, verbosity, prompt_cache_key,
/// message names, image detail, and response_format text/json_object (OpenAI already makes the prompt ask for JSON).
/// Refused, because dropping them would change the answer's shape: n &gt; 1, logprobs, json_schema response formats,
/// legacy functions, audio and file-id parts, non-function tools.
/// </remarks>
public static partial class AnthropicRequest
{
    /// <exception cref="TranslationException">The request cannot be expressed for Anthropic.</exception>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public static void Write(ReadOnlySpan<byte> openAiChatBody, string upstreamModel, bool stream, int defaultMaxTokens, IBufferWriter<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(openAiChatBody.Length);
        try
        {
            openAiChatBody.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, openAiChatBody.Length));
            using var writer = new Utf8JsonWriter(output, AnthropicResponse.WriterOptions);
            WriteRequest(document.RootElement, upstreamModel, stream, defaultMaxTokens, writer);
            writer.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static void WriteRequest(JsonElement root, string model, bool stream, int defaultMaxTokens, Utf8JsonWriter w)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new TranslationException("The request body must be a JSON object.");
        if (!root.TryGetProperty("messages"u8, out var messages) || messages.ValueKind != JsonValueKind.Array)
            throw new TranslationException("'messages' must be an array.", "messages");
        if (Get(root, "n"u8) is { ValueKind: JsonValueKind.Number } n && n.GetDouble() != 1)
            throw new TranslationException("This model returns one choice per request; 'n' must be 1.", "n");
        if (Get(root, "logprobs"u8).ValueKind == JsonValueKind.True)
            throw new TranslationException("This model does not return log probabilities.", "logprobs");
        if (Get(root, "functions"u8).ValueKind == JsonValueKind.Array)
            throw new TranslationException("'functions' is deprecated; send 'tools' instead.", "functions");
        if (Is(Get(Get(root, "response_format"u8), "type"u8), "json_schema"u8))
            throw new TranslationException("This model does not accept a json_schema response format.", "response_format");

        w.WriteStartObject();
        w.WriteString("model"u8, model);
        var maxTokens = Get(root, "max_completion_tokens"u8) is { ValueKind: JsonValueKind.Number } m ? m : Get(root, "max_tokens"u8);
        if (maxTokens.ValueKind == JsonValueKind.Null || maxTokens.ValueKind == JsonValueKind.Undefined) w.WriteNumber("max_tokens"u8, defaultMaxTokens);
        else if (maxTokens.ValueKind == JsonValueKind.Number && maxTokens.TryGetInt32(out var max) && max > 0) w.WriteNumber("max_tokens"u8, max);
        else throw new TranslationException("'max_tokens' must be a positive integer.", "max_tokens");

        WriteSystem(messages, w);
        WriteMessages(messages, w);
        if (WriteTools(Get(root, "tools"u8), w)) WriteToolChoice(Get(root, "tool_choice"u8), Get(root, "parallel_tool_calls"u8).ValueKind == JsonValueKind.False, w);
        WriteStop(Get(root, "stop"u8), w);
        // Anthropic's temperature scale ends at 1 where OpenAI's ends at 2; the hottest OpenAI asks for is the hottest here.
        if (Number(root, "temperature"u8) is { } temperature) w.WriteNumber("temperature"u8, Math.Min(temperature, 1));
        if (Number(root, "top_p"u8) is { } topP) w.WriteNumber("top_p"u8, topP);
        var user = Get(root, "user"u8) is { ValueKind: JsonValueKind.String } u ? u : Get(root, "safety_identifier"u8);
        if (user.ValueKind == JsonValueKind.String)
        {
            w.WriteStartObject("metadata"u8);
            w.WritePropertyName("user_id"u8);
            AnthropicResponse.WriteRaw(w, user);
            w.WriteEndObject();
        }
        w.WriteBoolean("stream"u8, stream);
        w.WriteEndObject();
    }

    enum Role { System, User, Assistant, Tool }

    static bool WriteTools(JsonElement tools, Utf8JsonWriter w)
    {
        if (tools.ValueKind == JsonValueKind.Null || tools.ValueKind == JsonValueKind.Undefined) return false;
        if (tools.ValueKind != JsonValueKind.Array) throw new TranslationException("'tools' must be an array.", "tools");
        if (tools.GetArrayLength() == 0) return false;
        w.WriteStartArray("tools"u8);
        int i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var function = Get(tool, "function"u8);
            if (!Is(Get(tool, "type"u8), "function"u8) || Get(function, "name"u8).ValueKind != JsonValueKind.String)
                throw new TranslationException("Only function tools with a name can be sent to this model.", $"tools[{i}]");
            w.WriteStartObject();
            w.WritePropertyName("name"u8);
            AnthropicResponse.WriteRaw(w, Get(function, "name"u8));
            if (Get(function, "description"u8) is { ValueKind: JsonValueKind.String } description)
            {
                w.WritePropertyName("description"u8);
                AnthropicResponse.WriteRaw(w, description);
            }
            // Anthropic requires a schema where OpenAI lets a function take no parameters.
            w.WritePropertyName("input_schema"u8);
            if (Get(function, "parameters"u8) is { ValueKind: JsonValueKind.Object } parameters) AnthropicResponse.WriteRaw(w, parameters);
            else w.WriteRawValue("""{"type":"object","properties":{}}"""u8, skipInputValidation: true);
            WriteCacheControl(w, Get(tool, "cache_control"u8));
            w.WriteEndObject();
            i++;
        }
        w.WriteEndArray();
        return true;
    }

    static void WriteToolChoice(JsonElement choice, bool oneToolAtATime, Utf8JsonWriter w)
    {
        ReadOnlySpan<byte> type;
        JsonElement name = default;
        if (choice.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) type = "auto"u8;
        else if (Is(choice, "auto"u8)) type = "auto"u8;
        else if (Is(choice, "required"u8)) type = "any"u8;
        else if (Is(choice, "none"u8)) type = "none"u8;
        else if (Is(Get(choice, "type"u8), "function"u8)
                 && Get(Get(choice, "function"u8), "name"u8) is { ValueKind: JsonValueKind.String } n)
        {
            type = "tool"u8;
            name = n;
        }
        else throw new TranslationException("'tool_choice' must be auto, required, none or a named function.", "tool_choice");

        // Anthropic defaults to auto, so only a choice that says something is sent.
        if (choice.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null && !oneToolAtATime) return;
        w.WriteStartObject("tool_choice"u8);
        w.WriteString("type"u8, type);
        if (name.ValueKind == JsonValueKind.String)
        {
            w.WritePropertyName("name"u8);
            AnthropicResponse.WriteRaw(w, name);
        }
        if (oneToolAtATime && !type.SequenceEqual("none"u8)) w.WriteBoolean("disable_parallel_tool_use"u8, true);
        w.WriteEndObject();
    }

    static void WriteStop(JsonElement stop, Utf8JsonWriter w)
    {
        if (stop.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return;
        if (stop.ValueKind == JsonValueKind.String)
        {
            if (IsBlank(stop)) return;
            w.WriteStartArray("stop_sequences"u8);
            AnthropicResponse.WriteRaw(w, stop);
            w.WriteEndArray();
            return;
        }
        if (stop.ValueKind != JsonValueKind.Array) throw new TranslationException("'stop' must be a string or an array of strings.", "stop");
        int kept = 0;
        foreach (var sequence in stop.EnumerateArray())
            if (sequence.ValueKind != JsonValueKind.String) throw new TranslationException("'stop' must hold strings.", "stop");
            else if (!IsBlank(sequence)) kept++;
        if (kept == 0) return;
        w.WriteStartArray("stop_sequences"u8);
        foreach (var sequence in stop.EnumerateArray())
            if (!IsBlank(sequence)) AnthropicResponse.WriteRaw(w, sequence);
        w.WriteEndArray();
    }

    // Anthropic rejects stop sequences made only of whitespace, which OpenAI clients often send ("\n").
    static bool IsBlank(JsonElement sequence) => string.IsNullOrWhiteSpace(sequence.GetString());

    static double? Number(JsonElement root, ReadOnlySpan<byte> name) => Get(root, name) switch
    {
        { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
        _ => throw new TranslationException($"'{Encoding.UTF8.GetString(name)}' must be a number.", Encoding.UTF8.GetString(name)),
    };

    internal static JsonElement Get(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    static bool Is(JsonElement element, ReadOnlySpan<byte> text) => element.ValueKind == JsonValueKind.String && element.ValueEquals(text);

    static bool IsEmptyString(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).Length <= 2;
}
