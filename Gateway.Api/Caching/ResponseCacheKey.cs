using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Api.Caching;

/// <summary>
/// The key of an answer in the response cache: SHA-256 of the team and of the request in OpenAI's form — its model,
/// messages, tools and sampling fields as sent — without the top-level fields that do not change the answer
/// (<c>stream</c>, <c>stream_options</c>, <c>user</c>, <c>metadata</c>, <c>store</c>, <c>safety_identifier</c>,
/// <c>prompt_cache_key</c>, <c>service_tier</c>). Read in one pass with no document built: the JSON's tokens are hashed
/// as they come (whitespace does not count), so the same question from the same team finds the same answer whatever API
/// it came through, streamed or not, and a team never finds another team's.
/// </summary>
public static class ResponseCacheKey
{
    public static string For(Guid teamId, ReadOnlySpan<byte> openAiBody)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[16];
        teamId.TryWriteBytes(scratch);
        hash.AppendData(scratch);
        var reader = new Utf8JsonReader(openAiBody);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && IsVolatile(ref reader))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            // The token's kind and its raw bytes: "1" the number and "1" the string differ, as do a key and a value.
            scratch[0] = (byte)reader.TokenType;
            hash.AppendData(scratch[..1]);
            if (reader.HasValueSequence)
                foreach (var segment in reader.ValueSequence) hash.AppendData(segment.Span);
            else hash.AppendData(reader.ValueSpan);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    static bool IsVolatile(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("stream"u8) || reader.ValueTextEquals("stream_options"u8) || reader.ValueTextEquals("user"u8)
        || reader.ValueTextEquals("metadata"u8) || reader.ValueTextEquals("store"u8) || reader.ValueTextEquals("safety_identifier"u8)
        || reader.ValueTextEquals("prompt_cache_key"u8) || reader.ValueTextEquals("service_tier"u8);
}
