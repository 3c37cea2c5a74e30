namespace Gateway.Api.Security;

/// <summary>
/// A budget webhook's signing secret, encrypted (<see cref="SecretBox.SealWebhook"/>). Unlike a key, it cannot be
/// kept as a hash: the gateway needs it to sign every delivery.
/// </summary>
public sealed class WebhookSecret
{
    public Guid Id { get; set; }
    public byte[] Nonce { get; set; } = [];
    public byte[] Ciphertext { get; set; } = [];
    public byte[] Tag { get; set; } = [];
}
