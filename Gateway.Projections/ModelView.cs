using Gateway.Domain.Catalog;
using JasperFx.Events;

namespace Gateway.Projections;

/// <summary>A catalog entry as it stands now.</summary>
public sealed class ModelView
{
    public Guid Id { get; set; }
    public string PublicId { get; set; } = "";
    public Guid ProviderId { get; set; }
    public string UpstreamModel { get; set; } = "";
    public decimal InputPricePerMillion { get; set; }
    public decimal OutputPricePerMillion { get; set; }
    public decimal? CachedInputPricePerMillion { get; set; }
    public decimal? CacheWriteInputPricePerMillion { get; set; }
    /// <summary>Every price the model has had, each with the instant it took effect; the first applies from the start.</summary>
    public List<Gateway.Domain.Pricing.PriceVersion> Prices { get; set; } = [];
    public bool Enabled { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    public static ModelView Create(IEvent<ModelAdded> e) => new()
    {
        Id = e.Data.ModelId,
        PublicId = e.Data.PublicId,
        ProviderId = e.Data.ProviderId,
        UpstreamModel = e.Data.UpstreamModel,
        InputPricePerMillion = e.Data.InputPricePerMillion,
        OutputPricePerMillion = e.Data.OutputPricePerMillion,
        CachedInputPricePerMillion = e.Data.CachedInputPricePerMillion,
        CacheWriteInputPricePerMillion = e.Data.CacheWriteInputPricePerMillion,
        Prices = [new(DateTimeOffset.MinValue, e.Data.InputPricePerMillion, e.Data.OutputPricePerMillion, e.Data.CachedInputPricePerMillion,
            e.Data.CacheWriteInputPricePerMillion)],
        Enabled = e.Data.Enabled,
        AddedAt = e.At(),
        ChangedAt = e.At(),
    };

    public void Apply(IEvent<ModelPriceChanged> e)
    {
        var p = e.Data;
        Prices.Add(new(p.EffectiveFrom, p.InputPricePerMillion, p.OutputPricePerMillion, p.CachedInputPricePerMillion, p.CacheWriteInputPricePerMillion));
        var latest = Prices.MaxBy(v => v.EffectiveFrom)!;
        (InputPricePerMillion, OutputPricePerMillion, CachedInputPricePerMillion, CacheWriteInputPricePerMillion) =
            (latest.InputPerMillion, latest.OutputPerMillion, latest.CachedInputPerMillion, latest.CacheWriteInputPerMillion);
        ChangedAt = e.At();
    }

    public void Apply(IEvent<ModelEnabled> e)
    {
        Enabled = true;
        ChangedAt = e.At();
    }

    public void Apply(IEvent<ModelDisabled> e)
    {
        Enabled = false;
        ChangedAt = e.At();
    }
}
