using Gateway.Domain.Accounts;
using JasperFx.Events;

namespace Gateway.Projections;

public sealed class AccountView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public static AccountView Create(IEvent<AccountCreated> e) => new() { Id = e.Data.AccountId, Name = e.Data.Name, CreatedAt = e.At() };
}
