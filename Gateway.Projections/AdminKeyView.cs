using Gateway.Domain.Keys;
using JasperFx.Events;

namespace Gateway.Projections;

public sealed class AdminKeyView
{
    public Guid Id { get; set; }
    public string SecretHash { get; set; } = "";
    public string Prefix { get; set; } = "";
    public string Origin { get; set; } = "";
    public DateTimeOffset IssuedAt { get; set; }
    public string Role { get; set; } = AdminRoles.Admin;
    public string? Name { get; set; }
    public Guid? TeamId { get; set; }
    public bool Revoked { get; set; }

    public static AdminKeyView Create(IEvent<AdminKeyIssued> e) => new()
    {
        Id = e.Data.AdminKeyId,
        SecretHash = e.Data.SecretHash,
        Prefix = e.Data.Prefix,
        Origin = e.Data.Origin,
        IssuedAt = e.At(),
        Role = e.Data.Role,
        Name = e.Data.Name,
        TeamId = e.Data.TeamId,
    };

    public void Apply(AdminKeyRevoked e) => Revoked = true;
}
