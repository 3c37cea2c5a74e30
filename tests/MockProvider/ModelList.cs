namespace MockProvider;

/// <summary><c>GET /v1/models</c>: the model names that have a behavior configured.</summary>
internal static class ModelList
{
    // A fixed timestamp keeps the listing byte-for-byte stable across runs.
    private const long Created = 1_700_000_000;

    public static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        if (await V1Gate.AdmitAsync(ctx, state, readBody: false) is null) return;

        var names = state.Behaviors.Names.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        await JsonOut.SendAsync(ctx, StatusCodes.Status200OK, names, static (w, names) =>
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            foreach (var name in names)
            {
                w.WriteStartObject();
                w.WriteString("id"u8, name);
                w.WriteString("object"u8, "model"u8);
                w.WriteNumber("created"u8, Created);
                w.WriteString("owned_by"u8, "mock"u8);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
