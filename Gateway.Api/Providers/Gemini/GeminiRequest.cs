using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Gemini;

/// <summary>Turns an OpenAI chat.completions request body into a Gemini GenerateContentRequest body.</summary>
/// <remarks>
/// Dropped, having no Gemini counterpart: model and stream (the URL carries them), stream_options, user, metadata,
/// store, logit_bias, logprobs, top_logprobs, parallel_tool_calls, service_tier, reasoning_effort (its Gemini
/// knob differs per model family), modalities, audio, prediction, web_search_options, message names, assistant
/// refusals and non-function tools.
/// </remarks>
public static class GeminiRequest
{
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Gemini 3 rejects replayed function calls without the signature it issued; OpenAI history cannot carry it,
    // so the first call of each model turn gets the sentinel Google documents for exactly this case.
    static readonly JsonEncodedText SkipSignature = JsonEncodedText.Encode("skip_thought_signature_validator");

    public static void Write(ReadOnlySpan<byte> openAiChatBody, IBufferWriter<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(openAiChatBody.Length);
        try
        {
            openAiChatBody.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, openAiChatBody.Length));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TranslationException("The request body must be a JSON object.");
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
                throw new TranslationException("'messages' must be an array.", "messages");

            using var writer = new Utf8JsonWriter(output, Options);
            writer.WriteStartObject();
            var turns = new Turns(writer);
            writer.WriteStartArray("contents");
            WriteContents(ref turns, messages);
            turns.Close();
            writer.WriteEndArray();
            WriteSystemInstruction(ref turns, messages);
            GeminiRequestConfig.WriteTools(writer, root);
            GeminiRequestConfig.WriteGenerationConfig(writer, root);
            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static void WriteContents(ref Turns turns, JsonElement messages)
    {
        Dictionary<string, string>? toolNames = null;
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var at = $"messages[{i++}]";
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role)
                || role.ValueKind != JsonValueKind.String)
                throw new TranslationException("Each message must be an object with a role.", at);
            message.TryGetProperty("content", out var content);
            if (role.ValueEquals("system"u8) || role.ValueEquals("developer"u8))
                continue;
            if (role.ValueEquals("user"u8))
                WriteContent(ref turns, Turns.User, content, at);
            else if (role.ValueEquals("assistant"u8))
            {
                WriteContent(ref turns, Turns.Model, content, at);
                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    WriteFunctionCalls(ref turns, calls, toolNames ??= new(StringComparer.Ordinal), at);
            }
            else if (role.ValueEquals("tool"u8))
            {
                var id = message.TryGetProperty("tool_call_id", out var idElement) ? idElement.GetString() : null;
                if (id is null || toolNames is null || !toolNames.TryGetValue(id, out var name))
                    throw new TranslationException($"No earlier assistant tool call has the id '{id}'.", at + ".tool_call_id");
                WriteFunctionResponse(ref turns, name, content, at);
            }
            else if (role.ValueEquals("function"u8) && message.TryGetProperty("name", out var fn))
                WriteFunctionResponse(ref turns, fn.GetString()!, content, at); // pre-tools API: the name is on the message
            else
                throw new TranslationException($"Unsupported message role '{role}'.", at + ".role");
        }
    }

    static void WriteSystemInstruction(ref Turns turns, JsonElement messages)
    {
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.GetProperty("role");
            if ((role.ValueEquals("system"u8) || role.ValueEquals("developer"u8)) && message.TryGetProperty("content", out var content))
                WriteContent(ref turns, Turns.System, content, $"messages[{i}]");
            i++;
        }
        turns.Close();
    }

    static void WriteContent(ref Turns turns, string role, JsonElement content, string at)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteText(ref turns, role, content);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
            return; // null or absent: an assistant turn that only calls tools
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{j++}]";
            var type = part.TryGetProperty("type", out var t) ? t : default;
            if (type.ValueKind != JsonValueKind.String)
                throw new TranslationException("Each content part needs a type.", partAt);
            if (type.ValueEquals("text"u8))
                WriteText(ref turns, role, part.GetProperty("text"));
            else if (type.ValueEquals("refusal"u8))
                continue;
            else if (type.ValueEquals("image_url"u8))
            {
                var image = part.GetProperty("image_url");
                var url = image.ValueKind == JsonValueKind.Object ? image.GetProperty("url") : image;
                WriteMedia(turns.Part(role), Utf8(url), partAt);
                turns.EndPart();
            }
            else if (type.ValueEquals("input_audio"u8))
            {
                var audio = part.GetProperty("input_audio");
                var writer = turns.Part(role);
                writer.WriteStartObject("inlineData");
                writer.WriteString("mimeType", "audio/" + audio.GetProperty("format").GetString());
                writer.WritePropertyName("data");
                writer.WriteStringValue(Utf8(audio.GetProperty("data")));
                writer.WriteEndObject();
                turns.EndPart();
            }
            else if (type.ValueEquals("file"u8) && part.GetProperty("file").TryGetProperty("file_data", out var fileData))
            {
                WriteMedia(turns.Part(role), Utf8(fileData), partAt);
                turns.EndPart();
            }
            else
                throw new TranslationException($"Content part type '{type}' cannot be sent to Gemini.", partAt);
        }
    }

    static void WriteText(ref Turns turns, string role, JsonElement text)
    {
        if (text.ValueKind != JsonValueKind.String)
            throw new TranslationException("Text content must be a string.");
        var raw = JsonMarshal.GetRawUtf8Value(text);
        if (raw.Length <= 2)
            return; // Gemini rejects empty text parts
        var writer = turns.Part(role);
        writer.WritePropertyName("text");
        writer.WriteRawValue(raw, skipInputValidation: true); // already valid JSON: the document parsed it
        turns.EndPart();
    }

    /// <summary>A data: URL becomes inline bytes; anything else a file reference Gemini fetches.</summary>
    static void WriteMedia(Utf8JsonWriter writer, ReadOnlySpan<byte> url, string at)
    {
        if (url.StartsWith("data:"u8))
        {
            var comma = url.IndexOf((byte)',');
            var header = comma < 0 ? default : url[5..comma];
            if (!header.EndsWith(";base64"u8))
                throw new TranslationException("Only base64 data URLs can be sent to Gemini.", at);
            writer.WriteStartObject("inlineData");
            writer.WriteString("mimeType"u8, header[..^7]);
            writer.WriteString("data"u8, url[(comma + 1)..]);
        }
        else
        {
            writer.WriteStartObject("fileData");
            writer.WriteString("mimeType", GuessMimeType(url));
            writer.WriteString("fileUri"u8, url);
        }
        writer.WriteEndObject();
    }

    static string GuessMimeType(ReadOnlySpan<byte> url)
    {
        var end = url.IndexOfAny("?#"u8);
        var path = end < 0 ? url : url[..end];
        var dot = path.LastIndexOf((byte)'.');
        if (dot < 0 || path[dot..].Contains((byte)'/'))
            return "image/jpeg";
        return Encoding.ASCII.GetString(path[(dot + 1)..]).ToLowerInvariant() switch
        {
            "png" => "image/png", "gif" => "image/gif", "webp" => "image/webp",
            "heic" => "image/heic", "heif" => "image/heif", "pdf" => "application/pdf",
            "mp3" => "audio/mp3", "wav" => "audio/wav", "ogg" => "audio/ogg", "flac" => "audio/flac",
            "mp4" => "video/mp4", "mov" => "video/mov", "webm" => "video/webm",
            "txt" => "text/plain", "csv" => "text/csv", "html" => "text/html",
            _ => "image/jpeg",
        };
    }

    static void WriteFunctionCalls(ref Turns turns, JsonElement calls, Dictionary<string, string> toolNames, string at)
    {
        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var callAt = $"{at}.tool_calls[{j++}]";
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String)
                throw new TranslationException("A tool call needs a function with a name.", callAt);
            var name = nameElement.GetString()!;
            if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                toolNames[id.GetString()!] = name;

            var writer = turns.Part(Turns.Model);
            writer.WriteStartObject("functionCall");
            writer.WriteString("name", name);
            writer.WritePropertyName("args");
            ToolArguments.WriteObject(function.TryGetProperty("arguments", out var arguments) ? arguments : default, writer, callAt + ".function.arguments");
            writer.WriteEndObject();
            if (!turns.SignedCall)
            {
                writer.WriteString("thoughtSignature", SkipSignature);
                turns.SignedCall = true;
            }
            turns.EndPart();
        }
    }

    static void WriteFunctionResponse(ref Turns turns, string name, JsonElement content, string at)
    {
        var text = content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => JoinText(content),
            _ => "",
        };
        var writer = turns.Part(Turns.User);
        writer.WriteStartObject("functionResponse");
        writer.WriteString("name", name);
        writer.WritePropertyName("response");
        if (TryParseObject(text) is { } parsed)
            using (parsed)
                parsed.RootElement.WriteTo(writer);
        else
        {
            // Gemini wants an object here; plain output is wrapped so the model still sees all of it
            writer.WriteStartObject();
            writer.WriteString("content", text);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        turns.EndPart();
    }

    static string JoinText(JsonElement parts)
    {
        var joined = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
            if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                joined.Append(text.GetString());
        return joined.ToString();
    }

    static JsonDocument? TryParseObject(string text)
    {
        if (!text.AsSpan().TrimStart().StartsWith('{'))
            return null;
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document;
            document.Dispose();
        }
        catch (JsonException)
        {
            // looks like JSON but is not: send it as text
        }
        return null;
    }

    static ReadOnlySpan<byte> Utf8(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new TranslationException("Expected a string.");
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        // Escaped input (e.g. "\/" in base64) must be decoded; the common case is read in place.
        return raw.Contains((byte)'\\') ? Encoding.UTF8.GetBytes(value.GetString()!) : raw;
    }

    /// <summary>Opens a Content only when a part arrives, so empty messages add nothing and same-role ones merge.</summary>
    struct Turns(Utf8JsonWriter writer)
    {
        public const string User = "user", Model = "model", System = "systemInstruction";
        string? open;

        /// <summary>The open model turn already carries a thought signature on a function call.</summary>
        public bool SignedCall;

        public Utf8JsonWriter Part(string role)
        {
            if (!string.Equals(open, role, StringComparison.Ordinal))
            {
                Close();
                if (role == System)
                    writer.WriteStartObject(System);
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("role", role);
                }
                writer.WriteStartArray("parts");
                open = role;
                SignedCall = false;
            }
            writer.WriteStartObject();
            return writer;
        }

        public readonly void EndPart() => writer.WriteEndObject();

        public void Close()
        {
            if (open is null)
                return;
            writer.WriteEndArray();
            writer.WriteEndObject();
            open = null;
        }
    }
}
