using System.Text.Json;
using Gateway.Domain.Catalog;
using Gateway.Domain.Providers;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Pricing;

/// <summary>
/// The starter price list shipped with the gateway (starter-prices.json, USD per million tokens): applied to the
/// catalog models whose upstream model it names, as price changes effective now. Run by <c>./gateway prices load</c>
/// or <c>POST /admin/prices/load-starter</c>; every price stays editable through the admin API.
/// </summary>
public sealed class StarterPrices(IDocumentStore store, TimeProvider time)
{
    public sealed record Entry(string Provider, string Model, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion);

    sealed record File(string Source, List<Entry> Prices);

    public sealed record Applied(string PublicId, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion);

    public static IReadOnlyList<Entry> Read()
    {
        using var stream = System.IO.File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Pricing", "starter-prices.json"));
        return JsonSerializer.Deserialize<File>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Prices;
    }

    /// <param name="into">A session to apply the changes in (an admin call's, whose audit headers they then carry); else one of its own.</param>
    public async Task<IReadOnlyList<Applied>> ApplyAsync(CancellationToken ct, IDocumentSession? into = null)
    {
        var entries = Read();
        await using var own = into is null ? store.LightweightSession() : null;
        var session = into ?? own!;
        var models = await session.Query<ModelView>().ToListAsync(ct);
        var kinds = (await session.Query<ProviderView>().ToListAsync(ct)).ToDictionary(p => p.Id, p => p.Kind);
        var now = time.GetUtcNow();
        var applied = new List<Applied>();
        foreach (var model in models)
        {
            var kind = kinds.GetValueOrDefault(model.ProviderId, "");
            var entry = entries.FirstOrDefault(e => e.Model == model.UpstreamModel && Serves(kind, e.Provider));
            if (entry is null || (entry.InputPerMillion, entry.OutputPerMillion, entry.CachedInputPerMillion)
                == (model.InputPricePerMillion, model.OutputPricePerMillion, model.CachedInputPricePerMillion)) continue;
            session.Events.Append(model.Id, new ModelPriceChanged(model.Id, entry.InputPerMillion, entry.OutputPerMillion, entry.CachedInputPerMillion, now));
            applied.Add(new Applied(model.PublicId, entry.InputPerMillion, entry.OutputPerMillion, entry.CachedInputPerMillion));
        }
        await session.SaveChangesAsync(ct);
        return applied;
    }

    // Anthropic's and Google's models are served by their own kinds; everyone else's by OpenAI-format servers.
    static bool Serves(string kind, string provider) => provider switch
    {
        "anthropic" => kind == ProviderKinds.Anthropic,
        "gemini" => kind == ProviderKinds.Gemini,
        _ => kind is ProviderKinds.OpenAi or ProviderKinds.Azure,
    };
}
