using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Anthropic;

/// <summary>What the endpoint needs to know of an Anthropic request before sending it on.</summary>
public readonly record struct MessagesHead(string Model, bool Stream, int MaxTokens);

/// <summary>Turns an Anthropic Messages request into an OpenAI chat-completions request.</summary>
public static class MessagesRequest
{
    /// <summary>
    /// Writes the OpenAI request to <paramref name="output"/>. Throws <see cref="TranslationException"/> for a
    /// request Anthropic would refuse (what was written by then must be discarded) and lets
    /// <see cref="JsonException"/> through for malformed JSON.
    /// </summary>
    public static MessagesHead Write(ReadOnlySpan<byte> anthropicBody, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(anthropicBody);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new TranslationException("The request body must be a JSON object.");

        var model = Required(root, "model", JsonValueKind.String, "a valid string");
        if (!Required(root, "max_tokens", JsonValueKind.Number, "a valid integer").TryGetInt32(out var maxTokens))
            throw Invalid("max_tokens", "Input should be a valid integer");
        if (maxTokens < 1) throw Invalid("max_tokens", "Input should be greater than or equal to 1");
        var messages = Required(root, "messages", JsonValueKind.Array, "a valid list");
        if (messages.GetArrayLength() == 0) throw Invalid("messages", "at least one message is required");
        var stream = root.TryGetProperty("stream", out var streamFlag) && streamFlag.ValueKind == JsonValueKind.True;

        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        CopyRaw(json, "model"u8, model);
        json.WriteStartArray("messages"u8);
        if (root.TryGetProperty("system", out var system)) WriteSystem(json, system, "system");
        var scratch = new ArrayBufferWriter<byte>(256);
        var i = 0;
        foreach (var message in messages.EnumerateArray()) WriteMessage(json, message, $"messages.{i++}", scratch);
        json.WriteEndArray();
        json.WriteNumber("max_tokens"u8, maxTokens);
        if (root.TryGetProperty("stop_sequences", out var stops) && stops.ValueKind == JsonValueKind.Array && stops.GetArrayLength() > 0)
            CopyRaw(json, "stop"u8, stops);
        CopyIf(json, "temperature"u8, root, "temperature", JsonValueKind.Number);
        CopyIf(json, "top_p"u8, root, "top_p", JsonValueKind.Number);
        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            CopyIf(json, "user"u8, metadata, "user_id", JsonValueKind.String);
        WriteTools(json, root);
        if (stream)
        {
            json.WriteBoolean("stream"u8, true);
            // Without it an OpenAI upstream reports no usage on a stream, and message_delta needs it.
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.Flush();
        return new MessagesHead(model.GetString()!, stream, maxTokens);
    }

    /// <summary>
    /// The request without what only Anthropic can run (server tools, and blocks other than text, images, tool calls and
    /// their results): what the gateway reads of a request it passes to Anthropic as it is (its model, stream flag,
    /// prompt and limits), when the whole of it has no OpenAI form.
    /// </summary>
    public static byte[] WithoutAnthropicOnlyParts(ReadOnlySpan<byte> anthropicBody)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(anthropicBody) is not System.Text.Json.Nodes.JsonObject root)
            throw new TranslationException("The request body must be a JSON object.");
        if (root["tools"] is System.Text.Json.Nodes.JsonArray tools)
            foreach (var tool in tools.ToList())
                if (tool?["type"] is { } type && type.GetValueKind() == JsonValueKind.String && (string)type! != "custom") tools.Remove(tool);
        if (root["messages"] is System.Text.Json.Nodes.JsonArray messages)
            foreach (var message in messages)
                if (message?["content"] is System.Text.Json.Nodes.JsonArray blocks)
                    foreach (var block in blocks.ToList())
                        if ((string?)block?["type"] is not ("text" or "image" or "tool_use" or "tool_result" or "thinking" or "redacted_thinking"))
                            blocks.Remove(block);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    static void WriteSystem(Utf8JsonWriter json, JsonElement system, string at)
    {
        List<JsonElement> texts = [];
        Texts(system, at, texts, images: false);
        if (texts.Count == 0) return;
        json.WriteStartObject();
        json.WriteString("role"u8, "system"u8);
        WriteJoined(json, "content"u8, texts, null);
        json.WriteEndObject();
    }

    static void WriteMessage(Utf8JsonWriter json, JsonElement message, string at, ArrayBufferWriter<byte> scratch)
    {
        if (message.ValueKind != JsonValueKind.Object) throw Invalid(at, "Input should be a valid dictionary");
        const string roles = "'user', 'assistant' or 'system'";
        var role = Required(message, "role", JsonValueKind.String, roles, at);
        var user = role.ValueEquals("user"u8);
        if (!user && !role.ValueEquals("assistant"u8) && !role.ValueEquals("system"u8)) throw Invalid($"{at}.role", $"Input should be {roles}");
        if (!message.TryGetProperty("content", out var content)) throw Invalid($"{at}.content", "Field required");
        if (role.ValueEquals("system"u8)) WriteSystem(json, content, $"{at}.content");
        else if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteStartObject();
            json.WriteString("role"u8, user ? "user"u8 : "assistant"u8);
            CopyRaw(json, "content"u8, content);
            json.WriteEndObject();
        }
        else if (content.ValueKind != JsonValueKind.Array) throw Invalid($"{at}.content", "Input should be a valid list");
        else if (user) WriteUser(json, content, at);
        else WriteAssistant(json, content, at, scratch);
    }

    static void WriteAssistant(Utf8JsonWriter json, JsonElement blocks, string at, ArrayBufferWriter<byte> scratch)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, "assistant"u8);
        List<JsonElement> texts = [];
        var calls = false;
        var j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var blockAt = $"{at}.content.{j++}";
            switch (BlockType(block, blockAt))
            {
                case "text": texts.Add(Text(block, "text", blockAt)); break;
                case "tool_use":
                    if (!calls) json.WriteStartArray("tool_calls"u8);
                    calls = true;
                    WriteToolCall(json, block, blockAt, scratch);
                    break;
                case "thinking" or "redacted_thinking": break; // only the model that wrote them could read them back
                case var type: throw Invalid($"{blockAt}.type", $"'{type}' blocks cannot be sent in assistant messages through this gateway");
            }
        }
        if (calls) json.WriteEndArray();
        if (texts.Count > 0) WriteJoined(json, "content"u8, texts, null);
        else if (!calls) json.WriteString("content"u8, ""u8);
        json.WriteEndObject();
    }

    static void WriteToolCall(Utf8JsonWriter json, JsonElement block, string at, ArrayBufferWriter<byte> scratch)
    {
        json.WriteStartObject();
        CopyRaw(json, "id"u8, Text(block, "id", at));
        json.WriteString("type"u8, "function"u8);
        json.WriteStartObject("function"u8);
        CopyRaw(json, "name"u8, Text(block, "name", at));
        // OpenAI carries arguments as a JSON string; re-serialising drops the client's whitespace.
        scratch.Clear();
        using (var arguments = new Utf8JsonWriter(scratch))
            if (block.TryGetProperty("input", out var input)) input.WriteTo(arguments);
            else { arguments.WriteStartObject(); arguments.WriteEndObject(); }
        json.WriteString("arguments"u8, scratch.WrittenSpan);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    static void WriteUser(Utf8JsonWriter json, JsonElement blocks, string at)
    {
        // OpenAI wants tool results straight after the assistant's tool_calls, so they go ahead of the rest.
        var parts = 0;
        JsonElement onlyText = default;
        var j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var blockAt = $"{at}.content.{j++}";
            switch (BlockType(block, blockAt))
            {
                case "tool_result": parts += WriteToolResult(json, block, blockAt); break;
                case "text": onlyText = Text(block, "text", blockAt); parts++; break;
                case "image": parts++; break;
                case "thinking" or "redacted_thinking": break;
                case var type: throw Invalid($"{blockAt}.type", $"'{type}' blocks cannot be sent in user messages through this gateway");
            }
        }
        if (parts == 0) return;
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        if (parts == 1 && onlyText.ValueKind == JsonValueKind.String)
        {
            CopyRaw(json, "content"u8, onlyText);
            json.WriteEndObject();
            return;
        }
        json.WriteStartArray("content"u8);
        j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var blockAt = $"{at}.content.{j++}";
            var type = block.GetProperty("type").GetString();
            if (type is "text" or "image") WritePart(json, block, type, blockAt);
            else if (type == "tool_result" && block.TryGetProperty("content", out var inner) && inner.ValueKind == JsonValueKind.Array)
            {
                // A tool message can hold only text, so a tool's images travel with the user's turn.
                var k = 0;
                foreach (var item in inner.EnumerateArray())
                    if (item.GetProperty("type").ValueEquals("image"u8)) WritePart(json, item, "image", $"{blockAt}.content.{k++}");
                    else k++;
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <returns>How many images the result holds, which the user message must carry.</returns>
    static int WriteToolResult(Utf8JsonWriter json, JsonElement block, string at)
    {
        List<JsonElement> texts = [];
        var images = block.TryGetProperty("content", out var content) ? Texts(content, $"{at}.content", texts, images: true) : 0;
        json.WriteStartObject();
        json.WriteString("role"u8, "tool"u8);
        CopyRaw(json, "tool_call_id"u8, Text(block, "tool_use_id", at));
        // OpenAI has no error flag on tool messages; the model still has to learn the call failed.
        var failed = block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True;
        WriteJoined(json, "content"u8, texts, failed ? "Error: " : null);
        json.WriteEndObject();
        return images;
    }

    /// <summary>Collects the texts of a string or a list of text (and, where allowed, image) blocks.</summary>
    /// <returns>How many images the list holds.</returns>
    static int Texts(JsonElement content, string at, List<JsonElement> texts, bool images)
    {
        if (content.ValueKind is JsonValueKind.String) texts.Add(content);
        if (content.ValueKind is JsonValueKind.String or JsonValueKind.Null) return 0;
        if (content.ValueKind != JsonValueKind.Array) throw Invalid(at, "Input should be a valid string or list");
        var (count, k) = (0, 0);
        foreach (var item in content.EnumerateArray())
        {
            var itemAt = $"{at}.{k++}";
            var type = BlockType(item, itemAt);
            if (type == "text") texts.Add(Text(item, "text", itemAt));
            else if (type == "image" && images) count++;
            else throw Invalid($"{itemAt}.type", $"'{type}' blocks are not accepted here");
        }
        return count;
    }

    static void WritePart(Utf8JsonWriter json, JsonElement block, string type, string at)
    {
        json.WriteStartObject();
        if (type == "text")
        {
            json.WriteString("type"u8, "text"u8);
            CopyRaw(json, "text"u8, Text(block, "text", at));
        }
        else
        {
            var source = Required(block, "source", JsonValueKind.Object, "a valid dictionary", at);
            json.WriteString("type"u8, "image_url"u8);
            json.WriteStartObject("image_url"u8);
            json.WritePropertyName("url"u8);
            if (Text(source, "type", $"{at}.source").ValueEquals("url"u8))
                json.WriteRawValue(JsonMarshal.GetRawUtf8Value(Text(source, "url", $"{at}.source")), skipInputValidation: true);
            else if (source.GetProperty("type").ValueEquals("base64"u8)) WriteDataUrl(json, source, $"{at}.source");
            else throw Invalid($"{at}.source.type", "Only base64 and url image sources can be sent through this gateway");
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    static void WriteDataUrl(Utf8JsonWriter json, JsonElement source, string at)
    {
        // Both raw values are still JSON-escaped; their bodies joined form a valid JSON string, which spares
        // decoding and re-encoding megabytes of base64.
        var mediaType = JsonMarshal.GetRawUtf8Value(Text(source, "media_type", at))[1..^1];
        var data = JsonMarshal.GetRawUtf8Value(Text(source, "data", at))[1..^1];
        var rented = ArrayPool<byte>.Shared.Rent(mediaType.Length + data.Length + 16);
        var url = rented.AsSpan();
        "\"data:"u8.CopyTo(url);
        mediaType.CopyTo(url[6..]);
        var length = 6 + mediaType.Length;
        ";base64,"u8.CopyTo(url[length..]);
        data.CopyTo(url[(length += 8)..]);
        url[length += data.Length] = (byte)'"';
        json.WriteRawValue(url[..(length + 1)], skipInputValidation: true);
        ArrayPool<byte>.Shared.Return(rented);
    }

    static void WriteTools(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null) return;
        if (tools.ValueKind != JsonValueKind.Array) throw Invalid("tools", "Input should be a valid list");
        if (tools.GetArrayLength() == 0) return; // OpenAI refuses an empty list, Anthropic does not
        json.WriteStartArray("tools"u8);
        var j = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools.{j++}";
            if (tool.ValueKind != JsonValueKind.Object) throw Invalid(at, "Input should be a valid dictionary");
            if (tool.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && !type.ValueEquals("custom"u8))
                throw Invalid($"{at}.type", $"Anthropic server tool '{type.GetString()}' cannot be run by this gateway");
            json.WriteStartObject();
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            CopyRaw(json, "name"u8, Text(tool, "name", at));
            CopyIf(json, "description"u8, tool, "description", JsonValueKind.String);
            CopyRaw(json, "parameters"u8, Required(tool, "input_schema", JsonValueKind.Object, "a valid dictionary", at));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind != JsonValueKind.Object) return;
        switch (Text(choice, "type", "tool_choice").GetString())
        {
            case "auto": json.WriteString("tool_choice"u8, "auto"u8); break;
            case "any": json.WriteString("tool_choice"u8, "required"u8); break;
            case "none": json.WriteString("tool_choice"u8, "none"u8); return;
            case "tool":
                json.WriteStartObject("tool_choice"u8);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                CopyRaw(json, "name"u8, Text(choice, "name", "tool_choice"));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case var other: throw Invalid("tool_choice.type", $"Input tag '{other}' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
        }
        if (choice.TryGetProperty("disable_parallel_tool_use", out var serial) && serial.ValueKind == JsonValueKind.True)
            json.WriteBoolean("parallel_tool_calls"u8, false);
    }

    static string BlockType(JsonElement block, string at)
    {
        if (block.ValueKind != JsonValueKind.Object) throw Invalid(at, "Input should be a valid dictionary");
        var type = Text(block, "type", at).GetString()!;
        return type is "text" or "image" or "document" or "tool_use" or "tool_result" or "thinking" or "redacted_thinking"
            ? type
            : throw Invalid($"{at}.type", $"Input tag '{type}' found using 'type' does not match any of the expected tags: "
                + "'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'");
    }

    static void WriteJoined(Utf8JsonWriter json, ReadOnlySpan<byte> name, List<JsonElement> texts, string? prefix)
    {
        if (texts.Count == 1 && prefix is null)
        {
            CopyRaw(json, name, texts[0]);
            return;
        }
        var joined = new StringBuilder(prefix);
        for (var i = 0; i < texts.Count; i++) joined.Append(i == 0 ? "" : "\n").Append(texts[i].GetString());
        json.WriteString(name, joined.ToString());
    }

    static void CopyRaw(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement value)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
    }

    static void CopyIf(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement parent, string property, JsonValueKind kind)
    {
        if (parent.TryGetProperty(property, out var value) && value.ValueKind == kind) CopyRaw(json, name, value);
    }

    static JsonElement Text(JsonElement parent, string name, string? at) => Required(parent, name, JsonValueKind.String, "a valid string", at);

    static JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string expected, string? at = null)
    {
        if (parent.TryGetProperty(name, out var value) && value.ValueKind == kind) return value;
        var path = at is null ? name : $"{at}.{name}";
        throw Invalid(path, value.ValueKind == JsonValueKind.Undefined ? "Field required" : $"Input should be {expected}");
    }

    /// <remarks>The message leaves out the path: the dialect shows errors as Anthropic does, "path: message".</remarks>
    static TranslationException Invalid(string path, string message) => new(message, path);
}
