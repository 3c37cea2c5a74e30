using System.Buffers;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// What a Responses request says beyond the chat request it becomes: whether to keep it, what it continues, and the
/// chat messages of its own input (kept with its answer, so a later request can continue from both).
/// </summary>
public sealed record ResponsesHead(string Model, bool Stream, bool Store, string? PreviousResponseId, byte[] InputMessages);

/// <summary>
/// Turns an OpenAI Responses request (<c>POST /v1/responses</c>) into a chat-completions request: <c>instructions</c>
/// become the system message, input items become messages (text, images, function calls and their outputs), function
/// tools, <c>tool_choice</c>, <c>text.format</c>, <c>reasoning.effort</c> and the sampling fields carry over. Features only
/// OpenAI's own Responses service has (built-in tools, files by id, item references) are refused by name.
/// </summary>
public static class ResponsesRequest
{
    /// <summary>The <c>previous_response_id</c> of a request, read without translating it (null when absent).</summary>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static string? PreviousResponseId(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = reader.ValueTextEquals("previous_response_id"u8);
            reader.Read();
            if (found) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
        }
        return null;
    }

    /// <param name="history">The chat messages of the conversation so far (a JSON array), when continuing one.</param>
    /// <param name="lenient">
    /// Leave out what only OpenAI's own Responses API serves (built-in tools, files by id, item references) instead of
    /// refusing it: the chat form of a request that an upstream serving the Responses API takes as it is.
    /// </param>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    /// <exception cref="TranslationException">Well-formed, but not a request this gateway can serve.</exception>
    public static ResponsesHead Write(ReadOnlySpan<byte> body, IBufferWriter<byte> output, JsonElement history = default, bool lenient = false)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new TranslationException("The request body must be a JSON object.");
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } modelName)
            throw new TranslationException("Missing required parameter: 'model'.", "model");
        if (!root.TryGetProperty("input", out var input) || input.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            throw new TranslationException("Missing required parameter: 'input' (a string or an array of input items).", "input");
        var stream = Flag(root, "stream", false);
        var store = Flag(root, "store", true);
        var previous = root.TryGetProperty("previous_response_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

        // The request's own messages, written once: into the chat request, and kept for the conversation.
        var inputMessages = new ArrayBufferWriter<byte>(512);
        using (var messages = new Utf8JsonWriter(inputMessages))
        {
            messages.WriteStartArray();
            if (input.ValueKind == JsonValueKind.String)
            {
                messages.WriteStartObject();
                messages.WriteString("role"u8, "user"u8);
                messages.WritePropertyName("content"u8);
                input.WriteTo(messages);
                messages.WriteEndObject();
            }
            else ResponsesInput.Write(messages, input, lenient);
            messages.WriteEndArray();
        }

        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WritePropertyName("model"u8);
        model.WriteTo(json);
        json.WriteStartArray("messages"u8);
        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String && !instructions.ValueEquals(""u8))
        {
            json.WriteStartObject();
            json.WriteString("role"u8, "system"u8);
            json.WritePropertyName("content"u8);
            instructions.WriteTo(json);
            json.WriteEndObject();
        }
        if (history.ValueKind == JsonValueKind.Array)
            foreach (var message in history.EnumerateArray()) message.WriteTo(json);
        using (var own = JsonDocument.Parse(inputMessages.WrittenMemory))
            foreach (var message in own.RootElement.EnumerateArray()) message.WriteTo(json);
        json.WriteEndArray();

        if (root.TryGetProperty("max_output_tokens", out var maxTokens) && maxTokens.ValueKind == JsonValueKind.Number)
        {
            if (!maxTokens.TryGetInt32(out var max) || max < 1)
                throw new TranslationException("Invalid 'max_output_tokens': expected an integer of at least 1.", "max_output_tokens");
            json.WriteNumber("max_completion_tokens"u8, max);
        }
        Copy(json, root, "temperature", "temperature"u8, JsonValueKind.Number);
        Copy(json, root, "top_p", "top_p"u8, JsonValueKind.Number);
        Copy(json, root, "user", "user"u8, JsonValueKind.String);
        if (root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object)
            Copy(json, reasoning, "effort", "reasoning_effort"u8, JsonValueKind.String);
        if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object && text.TryGetProperty("format", out var format))
            WriteFormat(json, format);
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0
            && (!lenient || tools.EnumerateArray().Any(IsFunction)))
        {
            WriteTools(json, tools, lenient);
            // Chat refuses it without tools.
            Copy(json, root, "parallel_tool_calls", "parallel_tool_calls"u8, JsonValueKind.True, JsonValueKind.False);
        }
        if (root.TryGetProperty("tool_choice", out var choice) && (!lenient || choice.ValueKind == JsonValueKind.String || IsFunction(choice)))
            WriteToolChoice(json, choice);
        if (stream)
        {
            json.WriteBoolean("stream"u8, true);
            // The final response.completed carries usage: every upstream is asked for it.
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.Flush();
        return new ResponsesHead(modelName, stream, store, previous, inputMessages.WrittenSpan.ToArray());
    }

    static void WriteFormat(Utf8JsonWriter json, JsonElement format)
    {
        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type)) return;
        if (type.ValueEquals("text"u8)) return;
        json.WriteStartObject("response_format"u8);
        if (type.ValueEquals("json_object"u8)) json.WriteString("type"u8, "json_object"u8);
        else if (type.ValueEquals("json_schema"u8))
        {
            json.WriteString("type"u8, "json_schema"u8);
            json.WriteStartObject("json_schema"u8);
            if (!format.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new TranslationException("Missing required parameter: 'text.format.name'.", "text.format.name");
            if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                throw new TranslationException("Missing required parameter: 'text.format.schema'.", "text.format.schema");
            Copy(json, format, "name", "name"u8, JsonValueKind.String);
            Copy(json, format, "description", "description"u8, JsonValueKind.String);
            json.WritePropertyName("schema"u8);
            schema.WriteTo(json);
            Copy(json, format, "strict", "strict"u8, JsonValueKind.True, JsonValueKind.False);
            json.WriteEndObject();
        }
        else throw new TranslationException($"Invalid 'text.format.type': '{type}'. Expected 'text', 'json_object' or 'json_schema'.", "text.format.type");
        json.WriteEndObject();
    }

    static bool IsFunction(JsonElement tool) =>
        tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueEquals("function"u8);

    static void WriteTools(Utf8JsonWriter json, JsonElement tools, bool lenient)
    {
        json.WriteStartArray("tools"u8);
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools[{i++}]";
            var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "function" && lenient) continue;
            if (type != "function")
                throw new TranslationException(
                    $"Tools of type '{type}' are served only by OpenAI's own Responses API; through the gateway's translation use function tools.", $"{at}.type");
            if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new TranslationException($"Missing required parameter: '{at}.name'.", $"{at}.name");
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            Copy(json, tool, "name", "name"u8, JsonValueKind.String);
            Copy(json, tool, "description", "description"u8, JsonValueKind.String);
            Copy(json, tool, "parameters", "parameters"u8, JsonValueKind.Object);
            Copy(json, tool, "strict", "strict"u8, JsonValueKind.True, JsonValueKind.False);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    static void WriteToolChoice(Utf8JsonWriter json, JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            json.WritePropertyName("tool_choice"u8);
            choice.WriteTo(json);
            return;
        }
        if (choice.ValueKind != JsonValueKind.Object) return;
        if (!choice.TryGetProperty("type", out var type) || !type.ValueEquals("function"u8) || !choice.TryGetProperty("name", out var name))
            throw new TranslationException("Through the gateway's translation 'tool_choice' is 'auto', 'none', 'required' or a function: {\"type\":\"function\",\"name\":\"...\"}.", "tool_choice");
        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        json.WritePropertyName("name"u8);
        name.WriteTo(json);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    static bool Flag(JsonElement root, string name, bool otherwise) =>
        root.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => otherwise,
            _ => throw new TranslationException($"Invalid type for '{name}': expected a boolean.", name),
        } : otherwise;

    static void Copy(Utf8JsonWriter json, JsonElement parent, string name, ReadOnlySpan<byte> to, params ReadOnlySpan<JsonValueKind> kinds)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return;
        foreach (var kind in kinds)
            if (value.ValueKind == kind)
            {
                json.WritePropertyName(to);
                value.WriteTo(json);
                return;
            }
        throw new TranslationException($"Invalid type for '{name}'.", name);
    }
}
