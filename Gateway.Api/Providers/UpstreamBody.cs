using System.Text.Json.Nodes;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// Builds the body sent upstream from the client's bytes: the model swapped for the upstream name and,
/// for streams, usage always asked for (so no stream is ever billed at $0). Everything else is copied
/// byte for byte, so unknown fields (tools, response_format, seed…) pass through untouched.
/// </summary>
public static class UpstreamBody
{
    static readonly byte[] IncludeUsageProperty = """
        "stream_options":{"include_usage":true},
        """u8.ToArray();

    public static void Write(ReadOnlySpan<byte> body, RequestHead head, ReadOnlySpan<byte> upstreamModelJson, PooledBuffer output)
    {
        var askUsage = head.Stream && !head.IncludeUsage;
        var insertAt = askUsage && !head.HasStreamOptions ? head.ObjectStart + 1 : -1;
        byte[]? patchedOptions = askUsage && head.HasStreamOptions
            ? PatchStreamOptions(body[head.StreamOptionsStart..head.StreamOptionsEnd])
            : null;

        var position = 0;
        if (insertAt >= 0)
        {
            output.Write(body[..insertAt]);
            output.Write(IncludeUsageProperty);
            position = insertAt;
        }

        // The model and stream_options values never overlap; write them in document order.
        var modelFirst = patchedOptions is null || head.ModelStart < head.StreamOptionsStart;
        if (modelFirst)
        {
            position = Replace(body, position, head.ModelStart, head.ModelEnd, upstreamModelJson, output);
            if (patchedOptions is not null)
                position = Replace(body, position, head.StreamOptionsStart, head.StreamOptionsEnd, patchedOptions, output);
        }
        else
        {
            position = Replace(body, position, head.StreamOptionsStart, head.StreamOptionsEnd, patchedOptions, output);
            position = Replace(body, position, head.ModelStart, head.ModelEnd, upstreamModelJson, output);
        }
        output.Write(body[position..]);
    }

    static int Replace(ReadOnlySpan<byte> body, int position, int start, int end, ReadOnlySpan<byte> with, PooledBuffer output)
    {
        output.Write(body[position..start]);
        output.Write(with);
        return end;
    }

    /// <summary>Rare path: the client sent stream_options without include_usage; keep its other options.</summary>
    static byte[] PatchStreamOptions(ReadOnlySpan<byte> options)
    {
        var node = JsonNode.Parse(options)!.AsObject();
        node["include_usage"] = true;
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
