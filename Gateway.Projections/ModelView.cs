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
        Enabled = e.Data.Enabled,
        AddedAt = e.Timestamp,
        ChangedAt = e.Timestamp,
    };

    public void Apply(IEvent<ModelEnabled> e)
    {
        Enabled = true;
        ChangedAt = e.Timestamp;
    }

    public void Apply(IEvent<ModelDisabled> e)
    {
        Enabled = false;
        ChangedAt = e.Timestamp;
    }
}
