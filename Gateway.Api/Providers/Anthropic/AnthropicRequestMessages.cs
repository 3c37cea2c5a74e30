using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Anthropic;

/// <summary>The conversation part of <see cref="AnthropicRequest"/>: system prompt, turns, content parts, tool calls and results.</summary>
public static partial class AnthropicRequest
{
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
        JsonElement only = default, onlyCache = default;
        foreach (var message in messages.EnumerateArray())
            if (RoleOf(message, i++) == Role.System && count++ == 0) (only, onlyCache) = (Get(message, "content"u8), Get(message, "cache_control"u8));
        if (count == 0) return;
        if (count == 1 && only.ValueKind == JsonValueKind.String && onlyCache.ValueKind != JsonValueKind.Object)
        {
            if (IsEmptyString(only)) return;
            w.WritePropertyName("system"u8);
            AnthropicResponse.WriteRaw(w, only);
            return;
        }
        w.WriteStartArray("system"u8);
        i = 0;
        foreach (var message in messages.EnumerateArray())
            if (RoleOf(message, i++) == Role.System) WriteParts(message, w, i - 1, mayHoldMedia: false);
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
                else WriteParts(message, w, i, mayHoldMedia: role == Role.User);
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

    /// <summary>
    /// A message's content as Anthropic blocks. A <c>cache_control</c> on a text part, or on a message whose content is a
    /// string (the convention OpenAI-format clients use to mark Anthropic prompt-cache breakpoints), goes on its block.
    /// </summary>
    static void WriteParts(JsonElement message, Utf8JsonWriter w, int i, bool mayHoldMedia)
    {
        var content = Get(message, "content"u8);
        if (content.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return;
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteText(content, w, i, Get(message, "cache_control"u8));
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
            throw new TranslationException("A message's content must be a string or an array of parts.", $"messages[{i}].content");
        int j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var type = Get(part, "type"u8);
            if (Is(type, "text"u8)) WriteText(Get(part, "text"u8), w, i, Get(part, "cache_control"u8));
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

    static void WriteText(JsonElement text, Utf8JsonWriter w, int i, JsonElement cacheControl = default)
    {
        if (text.ValueKind != JsonValueKind.String) throw new TranslationException("Text must be a string.", $"messages[{i}].content");
        if (IsEmptyString(text)) return; // Anthropic refuses empty text blocks
        w.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WritePropertyName("text"u8);
        AnthropicResponse.WriteRaw(w, text);
        WriteCacheControl(w, cacheControl);
        w.WriteEndObject();
    }

    static void WriteCacheControl(Utf8JsonWriter w, JsonElement cacheControl)
    {
        if (cacheControl.ValueKind != JsonValueKind.Object) return;
        w.WritePropertyName("cache_control"u8);
        AnthropicResponse.WriteRaw(w, cacheControl);
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
            WriteParts(message, w, i, mayHoldMedia: false);
            w.WriteEndArray();
        }
        WriteCacheControl(w, Get(message, "cache_control"u8));
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
            ToolArguments.WriteObject(Get(function, "arguments"u8), w, $"messages[{i}].tool_calls[{j++}].function.arguments");
            w.WriteEndObject();
        }
    }
}
