using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Gemini;

/// <summary>The parts of a Gemini request beside the conversation: tools, tool config and generation config.</summary>
static class GeminiRequestConfig
{
    public static void WriteTools(Utf8JsonWriter writer, JsonElement root)
    {
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            var open = false;
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var at = $"tools[{i++}]";
                if (!tool.TryGetProperty("type", out var type) || !type.ValueEquals("function"u8))
                    continue; // OpenAI's built-in tools have no Gemini twin here
                if (!tool.TryGetProperty("function", out var function) || !function.TryGetProperty("name", out var name))
                    throw new TranslationException("A function tool needs a function name.", at + ".function.name");
                if (!open)
                {
                    writer.WriteStartArray("tools");
                    writer.WriteStartObject();
                    writer.WriteStartArray("functionDeclarations");
                    open = true;
                }
                writer.WriteStartObject();
                writer.WritePropertyName("name");
                name.WriteTo(writer);
                if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    writer.WritePropertyName("description");
                    description.WriteTo(writer);
                }
                // Gemini refuses an OBJECT schema with no properties, which is how OpenAI says "no arguments".
                if (function.TryGetProperty("parameters", out var parameters) && HasProperties(parameters))
                {
                    writer.WritePropertyName("parameters");
                    WriteSchema(writer, parameters);
                }
                writer.WriteEndObject();
            }
            if (open)
            {
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
            }
        }
        if (root.TryGetProperty("tool_choice", out var choice) && choice.ValueKind != JsonValueKind.Null)
            WriteToolConfig(writer, choice);
    }

    static bool HasProperties(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && (!schema.TryGetProperty("properties", out var properties)
            ? !schema.TryGetProperty("type", out var type) || !type.ValueEquals("object"u8)
            : properties.ValueKind == JsonValueKind.Object && properties.EnumerateObject().MoveNext());

    static void WriteToolConfig(Utf8JsonWriter writer, JsonElement choice)
    {
        string mode;
        JsonElement named = default;
        if (choice.ValueKind == JsonValueKind.String)
            mode = choice.GetString() switch
            {
                "auto" => "AUTO",
                "required" => "ANY",
                "none" => "NONE",
                var other => throw new TranslationException($"Unknown tool_choice '{other}'.", "tool_choice"),
            };
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function)
                 && function.TryGetProperty("name", out named))
            mode = "ANY";
        else
            throw new TranslationException("tool_choice must be a mode or a named function.", "tool_choice");

        writer.WriteStartObject("toolConfig");
        writer.WriteStartObject("functionCallingConfig");
        writer.WriteString("mode", mode);
        if (named.ValueKind == JsonValueKind.String)
        {
            writer.WriteStartArray("allowedFunctionNames");
            named.WriteTo(writer);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteGenerationConfig(Utf8JsonWriter writer, JsonElement root)
    {
        var open = false;
        void Open()
        {
            if (!open)
                writer.WriteStartObject("generationConfig");
            open = true;
        }
        void Number(string from, string to)
        {
            if (!root.TryGetProperty(from, out var value) || value.ValueKind == JsonValueKind.Null)
                return;
            if (value.ValueKind != JsonValueKind.Number)
                throw new TranslationException($"'{from}' must be a number.", from);
            Open();
            writer.WritePropertyName(to);
            value.WriteTo(writer);
        }

        Number("temperature", "temperature");
        Number("top_p", "topP");
        Number(root.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind == JsonValueKind.Number
            ? "max_completion_tokens" : "max_tokens", "maxOutputTokens");
        Number("n", "candidateCount");
        Number("seed", "seed");
        Number("presence_penalty", "presencePenalty");
        Number("frequency_penalty", "frequencyPenalty");
        if (root.TryGetProperty("stop", out var stop) && stop.ValueKind is JsonValueKind.String or JsonValueKind.Array)
        {
            Open();
            writer.WriteStartArray("stopSequences");
            if (stop.ValueKind == JsonValueKind.String)
                stop.WriteTo(writer);
            else
                foreach (var sequence in stop.EnumerateArray())
                    sequence.WriteTo(writer);
            writer.WriteEndArray();
        }
        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var type) && !type.ValueEquals("text"u8))
        {
            Open();
            writer.WriteString("responseMimeType", "application/json");
            if (type.ValueEquals("json_schema"u8) && format.TryGetProperty("json_schema", out var js)
                && js.TryGetProperty("schema", out var schema))
            {
                writer.WritePropertyName("responseSchema");
                WriteSchema(writer, schema);
            }
        }
        if (open)
            writer.WriteEndObject();
    }


    /// <summary>
    /// Copies a JSON schema keeping only what Gemini's OpenAPI subset accepts: it answers 400 to any key it does
    /// not know (additionalProperties, $schema, strict, $ref...), so this keeps a list rather than a blacklist.
    /// </summary>
    public static void WriteSchema(Utf8JsonWriter writer, JsonElement schema)
    {
        writer.WriteStartObject();
        if (schema.ValueKind != JsonValueKind.Object)
        {
            writer.WriteEndObject(); // `true` or a malformed schema: accept anything
            return;
        }
        var nullable = false;
        foreach (var property in schema.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "type" when value.ValueKind == JsonValueKind.String:
                    writer.WriteString("type", value.GetString()!.ToUpperInvariant());
                    break;
                case "type" when value.ValueKind == JsonValueKind.Array:
                    // JSON schema's ["string","null"] is Gemini's single type plus nullable
                    var typed = false;
                    foreach (var t in value.EnumerateArray())
                        if (t.ValueEquals("null"u8))
                            nullable = true;
                        else if (!typed && t.ValueKind == JsonValueKind.String)
                        {
                            writer.WriteString("type", t.GetString()!.ToUpperInvariant());
                            typed = true;
                        }
                    break;
                case "nullable":
                    nullable |= value.ValueKind == JsonValueKind.True;
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    writer.WriteStartObject("properties");
                    foreach (var child in value.EnumerateObject())
                    {
                        writer.WritePropertyName(child.Name);
                        WriteSchema(writer, child.Value);
                    }
                    writer.WriteEndObject();
                    break;
                case "items" when value.ValueKind == JsonValueKind.Object:
                    writer.WritePropertyName("items");
                    WriteSchema(writer, value);
                    break;
                case "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array:
                    writer.WriteStartArray("anyOf");
                    foreach (var option in value.EnumerateArray())
                        WriteSchema(writer, option);
                    writer.WriteEndArray();
                    break;
                case "const" when value.ValueKind == JsonValueKind.String:
                    writer.WriteStartArray("enum");
                    value.WriteTo(writer);
                    writer.WriteEndArray();
                    break;
                case "format" when value.ValueKind == JsonValueKind.String:
                    // The Gemini API refuses other formats (email, uri...) outright
                    if (value.GetString() is "enum" or "date-time" or "float" or "double" or "int32" or "int64")
                        property.WriteTo(writer);
                    break;
                case "title" or "description" or "enum" or "required" or "minItems" or "maxItems" or "minLength"
                    or "maxLength" or "pattern" or "minimum" or "maximum" or "minProperties" or "maxProperties"
                    or "example" or "default" or "propertyOrdering":
                    property.WriteTo(writer);
                    break;
            }
        }
        if (nullable)
            writer.WriteBoolean("nullable", true);
        writer.WriteEndObject();
    }
}
