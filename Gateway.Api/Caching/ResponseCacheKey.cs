using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Api.Caching;

/// <summary>
/// The key of an answer in the response cache: the team, and the request in OpenAI's form made canonical — its model,
/// messages, tools and sampling fields with object keys sorted, and without the fields that do not change the answer
/// (<c>stream</c>, <c>stream_options</c>, <c>user</c>, <c>metadata</c>, <c>store</c>, <c>safety_identifier</c>,
/// <c>prompt_cache_key</c>, <c>service_tier</c>). So the same question from the same team finds the same answer whatever
/// API it came through, streamed or not, and a team never finds another team's.
/// </summary>
public static class ResponseCacheKey
{
    static readonly string[] Volatile = ["stream", "stream_options", "user", "metadata", "store", "safety_identifier", "prompt_cache_key", "service_tier"];

    public static string For(Guid teamId, ReadOnlySpan<byte> openAiBody)
    {
        var root = JsonNode.Parse(openAiBody) as JsonObject ?? throw new JsonException("The request body must be a JSON object.");
        foreach (var name in Volatile) root.Remove(name);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(teamId.ToByteArray());
        using (var stream = new HashStream(hash))
        using (var json = new Utf8JsonWriter(stream))
            WriteSorted(json, root);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    static void WriteSorted(Utf8JsonWriter json, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                json.WriteStartObject();
                foreach (var (name, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WritePropertyName(name);
                    WriteSorted(json, value);
                }
                json.WriteEndObject();
                break;
            case JsonArray a:
                json.WriteStartArray();
                foreach (var item in a) WriteSorted(json, item);
                json.WriteEndArray();
                break;
            case null:
                json.WriteNullValue();
                break;
            default:
                node.WriteTo(json);
                break;
        }
    }

    /// <summary>Feeds what is written straight into the hash.</summary>
    sealed class HashStream(IncrementalHash hash) : Stream
    {
        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
