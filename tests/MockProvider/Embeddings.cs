using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MockProvider;

/// <summary><c>POST /v1/embeddings</c>, plus the vector function so tests can predict what the mock returns.</summary>
public static class Embeddings
{
    public const int DefaultDimensions = 8;
    private const int MaxDimensions = 4096;

    /// <summary>
    /// The embedding the mock returns for <paramref name="text"/>: a unit-length vector seeded by FNV-1a of its UTF-8 bytes,
    /// so equal texts embed equally and different texts almost surely differ.
    /// </summary>
    public static float[] VectorFor(string text, int dimensions = DefaultDimensions)
    {
        var vector = new float[dimensions];
        Fill(Hash.Fnv1a(Encoding.UTF8.GetBytes(text)), vector);
        return vector;
    }

    private static void Fill(ulong seed, Span<float> vector)
    {
        ulong state = seed;
        double sumOfSquares = 0;
        for (int i = 0; i < vector.Length; i++)
        {
            // 24 random bits fit a float's mantissa exactly, keeping the values identical on every platform.
            float v = (Hash.SplitMix(ref state) >> 40) / (float)(1 << 23) - 1f;
            vector[i] = v;
            sumOfSquares += v * v;
        }
        float scale = sumOfSquares > 0 ? (float)(1 / Math.Sqrt(sumOfSquares)) : 0f;
        for (int i = 0; i < vector.Length; i++) vector[i] *= scale;
    }

    private struct EmbeddingRequest
    {
        public string? Model;
        public List<ulong>? Seeds;
        public int PromptTokens;
        public bool Base64;
        public int Dimensions;
    }

    internal static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        var body = await V1Gate.AdmitAsync(ctx, state, readBody: true);
        if (body is null) return;
        await ServeAsync(ctx, state, body, deployment: null);
    }

    /// <param name="deployment">Azure's deployment name, which stands in for the model; null on OpenAI's route.</param>
    internal static async Task ServeAsync(HttpContext ctx, MockState state, byte[] body, string? deployment)
    {
        EmbeddingRequest req;
        try
        {
            req = Parse(body, deployment);
        }
        catch (JsonException)
        {
            await OpenAiErrors.InvalidJsonAsync(ctx);
            return;
        }
        catch (InvalidRequestException e)
        {
            await OpenAiErrors.InvalidRequestAsync(ctx, e);
            return;
        }

        var behavior = state.Behaviors.Resolve(req.Model!);
        using var stopHook = Faults.AbortOnStop(ctx, state, behavior);
        if (await Faults.InterceptAsync(ctx, state, behavior, req.Model!, deployment is null ? OpenAiErrors.InjectedAsync : AzureDeployments.InjectedAsync)) return;
        await Faults.DelayAsync(ctx, behavior.LatencyMs);

        await JsonOut.SendAsync(ctx, StatusCodes.Status200OK, (req, behavior.OmitUsage), static (w, s) =>
        {
            var req = s.req;
            float[]? rented = null;
            Span<float> vector = req.Dimensions <= 256
                ? stackalloc float[req.Dimensions]
                : (rented = ArrayPool<float>.Shared.Rent(req.Dimensions)).AsSpan(0, req.Dimensions);

            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            var seeds = req.Seeds!;
            for (int i = 0; i < seeds.Count; i++)
            {
                Fill(seeds[i], vector);
                w.WriteStartObject();
                w.WriteString("object"u8, "embedding"u8);
                w.WriteNumber("index"u8, i);
                if (req.Base64)
                {
                    // OpenAI's base64 form is the little-endian float32 bytes, which is what the .NET client asks for by default.
                    w.WriteBase64String("embedding"u8, MemoryMarshal.AsBytes(vector));
                }
                else
                {
                    w.WriteStartArray("embedding"u8);
                    foreach (float f in vector) w.WriteNumberValue(f);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("model"u8, req.Model);
            if (!s.OmitUsage)
            {
                w.WriteStartObject("usage"u8);
                w.WriteNumber("prompt_tokens"u8, req.PromptTokens);
                w.WriteNumber("total_tokens"u8, req.PromptTokens);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        });
    }

    private static EmbeddingRequest Parse(ReadOnlySpan<byte> json, string? deployment)
    {
        var r = new Utf8JsonReader(json);
        RequestJson.ExpectObject(ref r);

        var req = new EmbeddingRequest { Dimensions = DefaultDimensions };
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8)) req.Model = RequestJson.ReadString(ref r, "model");
            else if (r.ValueTextEquals("input"u8)) ReadInput(ref r, ref req);
            else if (r.ValueTextEquals("encoding_format"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.Null || r.ValueTextEquals("float"u8)) req.Base64 = false;
                else if (r.ValueTextEquals("base64"u8)) req.Base64 = true;
                else throw new InvalidRequestException("Invalid value for 'encoding_format': expected 'float' or 'base64'.", "encoding_format");
            }
            else if (r.ValueTextEquals("dimensions"u8))
            {
                int? dimensions = RequestJson.ReadInt(ref r, "dimensions");
                if (dimensions is < 1 or > MaxDimensions)
                    throw new InvalidRequestException($"Invalid 'dimensions': expected a value between 1 and {MaxDimensions}.", "dimensions");
                req.Dimensions = dimensions ?? DefaultDimensions;
            }
            else r.Skip();
        }

        if (deployment is not null) req.Model = deployment;
        if (string.IsNullOrEmpty(req.Model))
            throw new InvalidRequestException("you must provide a model parameter", null);
        if (req.Seeds is null)
            throw new InvalidRequestException("Missing required parameter: 'input'.", "input");
        return req;
    }

    // input: a string, an array of strings, one token array, or an array of token arrays; each string or token array is one input.
    private static void ReadInput(ref Utf8JsonReader r, ref EmbeddingRequest req)
    {
        r.Read();
        var seeds = req.Seeds = new List<ulong>(1);
        if (r.TokenType == JsonTokenType.String)
        {
            AddText(ref r, ref req);
            return;
        }
        if (r.TokenType != JsonTokenType.StartArray) throw InvalidInput();

        ulong flatHash = Hash.FnvOffset;
        int flatTokens = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.String:
                    AddText(ref r, ref req);
                    break;
                case JsonTokenType.Number:
                    flatHash = Hash.Fnv1a(ReadToken(ref r), flatHash);
                    flatTokens++;
                    break;
                case JsonTokenType.StartArray:
                    ulong hash = Hash.FnvOffset;
                    int tokens = 0;
                    while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                    {
                        hash = Hash.Fnv1a(ReadToken(ref r), hash);
                        tokens++;
                    }
                    if (tokens == 0) throw InvalidInput();
                    seeds.Add(hash);
                    req.PromptTokens += tokens;
                    break;
                default:
                    throw InvalidInput();
            }
        }
        if (flatTokens > 0)
        {
            if (seeds.Count > 0) throw InvalidInput();
            seeds.Add(flatHash);
            req.PromptTokens += flatTokens;
        }
        if (seeds.Count == 0) throw InvalidInput();
    }

    private static void AddText(ref Utf8JsonReader r, ref EmbeddingRequest req)
    {
        req.Seeds!.Add(RequestJson.HashString(ref r));
        req.PromptTokens += RequestJson.CountWords(ref r);
    }

    private static int ReadToken(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int token) ? token : throw InvalidInput();

    private static InvalidRequestException InvalidInput() =>
        new("'$.input' is invalid. Expected a string, an array of strings, or an array of token arrays.", "input");
}
