using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// One pass over an OpenAI-format response or stream chunk: where the top-level "model" value sits (so
/// the public name can replace the upstream one) and the usage it reports. No DOM is built.
/// </summary>
public struct ResponseScan
{
    public int ModelStart;
    public int ModelEnd;
    public bool HasUsage;
    public long PromptTokens;
    public long CompletionTokens;
    public long TotalTokens;
    public long CachedTokens;
    /// <summary>Number of entries in "choices", or -1 when absent.</summary>
    public int ChoiceCount;

    public readonly TokenUsage Usage => new(PromptTokens, CompletionTokens, CachedTokens);

    public static bool TryScan(ReadOnlySpan<byte> json, out ResponseScan scan)
    {
        scan = new ResponseScan { ModelStart = -1, ModelEnd = -1, ChoiceCount = -1 };
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        scan.ModelStart = (int)reader.TokenStartIndex;
                        scan.ModelEnd = (int)reader.BytesConsumed;
                    }
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject) ReadUsage(ref reader, ref scan);
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }
                    var count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        count++;
                        reader.Skip();
                    }
                    scan.ChoiceCount = count;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static void ReadUsage(ref Utf8JsonReader reader, ref ResponseScan scan)
    {
        scan.HasUsage = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8)) scan.PromptTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("completion_tokens"u8)) scan.CompletionTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("total_tokens"u8)) scan.TotalTokens = ReadLong(ref reader);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) scan.CachedTokens = ReadLong(ref reader);
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    static long ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : 0;
    }

    /// <summary>Writes <paramref name="json"/> with its model value replaced by <paramref name="modelJson"/>.</summary>
    public readonly void WriteWithModel(ReadOnlySpan<byte> json, ReadOnlySpan<byte> modelJson, PooledBuffer output)
    {
        if (ModelStart < 0)
        {
            output.Write(json);
            return;
        }
        output.Write(json[..ModelStart]);
        output.Write(modelJson);
        output.Write(json[ModelEnd..]);
    }
}
