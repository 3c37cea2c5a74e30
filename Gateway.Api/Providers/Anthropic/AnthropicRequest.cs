using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

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
public static class AnthropicRequest
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

    static Role RoleOf(JsonElement message, int i)
    {
        var role = Get(message, "role"u8);
        if (Is(role, "user"u8)) return Role.User;
        if (Is(role, "assistant"u8)) return Role.Assistant;
        if (Is(role, "tool"u8)) return Role.Tool;
        if (Is(role, "system"u8) || Is(role, "developer"u8)) return Role.System;
        throw new TranslationException("A message's role must be system, developer, user, assistant or tool.", $"messages[{i}].role");
    }

    // Anthropic has no system turns: every system and developer message, wherever it stood, becomes the top-level system.
    static void WriteSystem(JsonElement messages, Utf8JsonWriter w)
    {
        int count = 0, i = 0;
        JsonElement only = default;
        foreach (var message in messages.EnumerateArray())
            if (RoleOf(message, i++) == Role.System && count++ == 0) only = Get(message, "content"u8);
        if (count == 0) return;
        if (count == 1 && only.ValueKind == JsonValueKind.String)
        {
            if (IsEmptyString(only)) return;
            w.WritePropertyName("system"u8);
            AnthropicResponse.WriteRaw(w, only);
            return;
        }
        w.WriteStartArray("system"u8);
        i = 0;
        foreach (var message in messages.EnumerateArray())
            if (RoleOf(message, i++) == Role.System) WriteParts(Get(message, "content"u8), w, i - 1, mayHoldMedia: false);
        w.WriteEndArray();
    }

    static void WriteMessages(JsonElement messages, Utf8JsonWriter w)
    {
        w.WriteStartArray("messages"u8);
        var open = Role.System; // no turn open yet
        int i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = RoleOf(message, i);
            if (role != Role.System)
            {
                // Turns must alternate, so same-role neighbours share one turn; tool results travel in a user turn.
                var turn = role == Role.Assistant ? Role.Assistant : Role.User;
                if (turn != open)
                {
                    if (open != Role.System) EndTurn(w);
                    w.WriteStartObject();
                    w.WriteString("role"u8, turn == Role.User ? "user"u8 : "assistant"u8);
                    w.WriteStartArray("content"u8);
                    open = turn;
                }
                if (role == Role.Tool) WriteToolResult(message, w, i);
                else WriteParts(Get(message, "content"u8), w, i, mayHoldMedia: role == Role.User);
                if (role == Role.Assistant) WriteToolUses(Get(message, "tool_calls"u8), w, i);
            }
            i++;
        }
        if (open == Role.System) throw new TranslationException("'messages' must hold a user or assistant message.", "messages");
        EndTurn(w);
        w.WriteEndArray();

        static void EndTurn(Utf8JsonWriter w)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    static void WriteParts(JsonElement content, Utf8JsonWriter w, int i, bool mayHoldMedia)
    {
        if (content.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return;
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteText(content, w, i);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
            throw new TranslationException("A message's content must be a string or an array of parts.", $"messages[{i}].content");
        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var type = Get(part, "type"u8);
            if (Is(type, "text"u8)) WriteText(Get(part, "text"u8), w, i);
            else if (Is(type, "refusal"u8) && !mayHoldMedia) WriteText(Get(part, "refusal"u8), w, i);
            else if (Is(type, "image_url"u8) && mayHoldMedia)
            {
                var url = Get(part, "image_url"u8);
                WriteSource(url.ValueKind == JsonValueKind.Object ? Get(url, "url"u8) : url, isImage: true, w, i, j);
            }
            else if (Is(type, "file"u8) && mayHoldMedia) WriteSource(Get(Get(part, "file"u8), "file_data"u8), isImage: false, w, i, j);
            else throw new TranslationException("This content part cannot be sent to this model here.", $"messages[{i}].content[{j}]");
            j++;
        }
    }

    static void WriteText(JsonElement text, Utf8JsonWriter w, int i)
    {
        if (text.ValueKind != JsonValueKind.String) throw new TranslationException("Text must be a string.", $"messages[{i}].content");
        if (IsEmptyString(text)) return; // Anthropic refuses empty text blocks
        w.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WritePropertyName("text"u8);
        AnthropicResponse.WriteRaw(w, text);
        w.WriteEndObject();
    }

    // Images and PDFs: a base64 data URL becomes a base64 source, an http(s) image URL a url source.
    static void WriteSource(JsonElement url, bool isImage, Utf8JsonWriter w, int i, int j)
    {
        if (url.ValueKind != JsonValueKind.String) throw new TranslationException("The part needs a URL.", $"messages[{i}].content[{j}]");
        ReadOnlySpan<byte> value = JsonMarshal.GetRawUtf8Value(url)[1..^1];
        // Escaped source text (a client writing "\/") would be copied out still escaped; decoding it is the rare path.
        if (value.Contains((byte)'\\')) value = Encoding.UTF8.GetBytes(url.GetString()!);
        int comma = value.StartsWith("data:"u8) ? value.IndexOf((byte)',') : -1;
        var media = comma > 0 && value[..comma].EndsWith(";base64"u8) ? value[5..(comma - 7)] : [];
        bool isWeb = isImage && (value.StartsWith("https://"u8) || value.StartsWith("http://"u8));
        if (media.IsEmpty && !isWeb || !isImage && !media.SequenceEqual("application/pdf"u8))
            throw new TranslationException(isImage ? "Images must be http(s) URLs or base64 data URLs." : "Files must be base64 PDF data URLs.",
                $"messages[{i}].content[{j}]");

        w.WriteStartObject();
        w.WriteString("type"u8, isImage ? "image"u8 : "document"u8);
        w.WriteStartObject("source"u8);
        if (isWeb)
        {
            w.WriteString("type"u8, "url"u8);
            w.WriteString("url"u8, value);
        }
        else
        {
            w.WriteString("type"u8, "base64"u8);
            w.WriteString("media_type"u8, media);
            w.WriteString("data"u8, value[(comma + 1)..]);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    static void WriteToolResult(JsonElement message, Utf8JsonWriter w, int i)
    {
        var id = Get(message, "tool_call_id"u8);
        if (id.ValueKind != JsonValueKind.String) throw new TranslationException("A tool message needs its tool_call_id.", $"messages[{i}].tool_call_id");
        w.WriteStartObject();
        w.WriteString("type"u8, "tool_result"u8);
        w.WritePropertyName("tool_use_id"u8);
        AnthropicResponse.WriteRaw(w, id);
        var content = Get(message, "content"u8);
        if (content.ValueKind == JsonValueKind.String)
        {
            w.WritePropertyName("content"u8);
            AnthropicResponse.WriteRaw(w, content);
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            w.WriteStartArray("content"u8);
            WriteParts(content, w, i, mayHoldMedia: false);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    static void WriteToolUses(JsonElement calls, Utf8JsonWriter w, int i)
    {
        if (calls.ValueKind != JsonValueKind.Array) return;
        int j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var function = Get(call, "function"u8);
            var id = Get(call, "id"u8);
            var name = Get(function, "name"u8);
            if (id.ValueKind != JsonValueKind.String || name.ValueKind != JsonValueKind.String)
                throw new TranslationException("A tool call needs an id and a function name.", $"messages[{i}].tool_calls[{j}]");
            w.WriteStartObject();
            w.WriteString("type"u8, "tool_use"u8);
            w.WritePropertyName("id"u8);
            AnthropicResponse.WriteRaw(w, id);
            w.WritePropertyName("name"u8);
            AnthropicResponse.WriteRaw(w, name);
            w.WritePropertyName("input"u8);
            WriteArguments(Get(function, "arguments"u8), w, i, j++);
            w.WriteEndObject();
        }
    }

    // OpenAI keeps the arguments as JSON text inside a string; Anthropic wants the object itself.
    static void WriteArguments(JsonElement arguments, Utf8JsonWriter w, int i, int j)
    {
        var text = arguments.ValueKind == JsonValueKind.String ? arguments.GetString()! : "";
        if (string.IsNullOrWhiteSpace(text))
        {
            w.WriteRawValue("{}"u8, skipInputValidation: true);
            return;
        }
        try
        {
            using var parsed = JsonDocument.Parse(text);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                parsed.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
        }
        throw new TranslationException("Tool call arguments must be a JSON object.", $"messages[{i}].tool_calls[{j}].function.arguments");
    }

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
