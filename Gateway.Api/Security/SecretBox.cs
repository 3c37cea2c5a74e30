using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM under the master key: provider API keys in <see cref="ProviderSecret"/>
/// documents, budget webhook signing secrets in <see cref="WebhookSecret"/> documents; never in events.
/// </summary>
public sealed class SecretBox(byte[] masterKey)
{
    const int NonceSize = 12;
    const int TagSize = 16;
    // Bound into a webhook secret's ciphertext with its id, so a provider key's ciphertext cannot pass for one.
    static readonly byte[] WebhookPurpose = "budget-webhook"u8.ToArray();

    public ProviderSecret Seal(Guid credentialId, string plaintext)
    {
        var (nonce, cipher, tag) = Encrypt(plaintext, credentialId.ToByteArray());
        return new ProviderSecret { Id = credentialId, Nonce = nonce, Ciphertext = cipher, Tag = tag };
    }

    public string Open(ProviderSecret secret) => Decrypt(secret.Nonce, secret.Ciphertext, secret.Tag, secret.Id.ToByteArray());

    public WebhookSecret SealWebhook(Guid secretId, string plaintext)
    {
        var (nonce, cipher, tag) = Encrypt(plaintext, [.. secretId.ToByteArray(), .. WebhookPurpose]);
        return new WebhookSecret { Id = secretId, Nonce = nonce, Ciphertext = cipher, Tag = tag };
    }

    public string Open(WebhookSecret secret) => Decrypt(secret.Nonce, secret.Ciphertext, secret.Tag, [.. secret.Id.ToByteArray(), .. WebhookPurpose]);

    /// <summary>Any text sealed for one purpose (bound in as associated data), as base64 of nonce, tag and ciphertext.</summary>
    public string SealText(string plaintext, string purpose)
    {
        var (nonce, cipher, tag) = Encrypt(plaintext, Encoding.UTF8.GetBytes(purpose));
        return Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string OpenText(string sealedText, string purpose)
    {
        var bytes = Convert.FromBase64String(sealedText);
        return Decrypt(bytes[..NonceSize], bytes[(NonceSize + TagSize)..], bytes[NonceSize..(NonceSize + TagSize)], Encoding.UTF8.GetBytes(purpose));
    }

    (byte[] Nonce, byte[] Cipher, byte[] Tag) Encrypt(string plaintext, byte[] associated)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[input.Length];
        var tag = new byte[TagSize];
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Encrypt(nonce, input, cipher, tag, associated);
        return (nonce, cipher, tag);
    }

    string Decrypt(byte[] nonce, byte[] cipher, byte[] tag, byte[] associated)
    {
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Decrypt(nonce, cipher, tag, plain, associated);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>
    /// The master key: GATEWAY_MASTER_KEY (base64 of 32 bytes), else a key file generated once under
    /// GATEWAY_DATA. Without either the gateway refuses to start rather than store keys in the clear.
    /// </summary>
    public static SecretBox FromOptions(GatewayOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.MasterKey)) return new SecretBox(Decode(options.MasterKey, "GATEWAY_MASTER_KEY"));
        if (string.IsNullOrWhiteSpace(options.Data))
            throw new InvalidOperationException("Set GATEWAY_MASTER_KEY (base64 of 32 random bytes) or GATEWAY_DATA (a folder where one is generated).");

        Directory.CreateDirectory(options.Data);
        var path = Path.Combine(options.Data, "master.key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new SecretBox(Decode(File.ReadAllText(path).Trim(), path));
    }

    static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64);
            if (key.Length == 32) return key;
        }
        catch (FormatException) { }
        throw new InvalidOperationException($"The master key in {source} must be base64 of exactly 32 bytes.");
    }
}

/// <summary>An encrypted provider credential. The credential id is bound into the ciphertext as associated data.</summary>
public sealed class ProviderSecret
{
    public Guid Id { get; set; }
    public byte[] Nonce { get; set; } = [];
    public byte[] Ciphertext { get; set; } = [];
    public byte[] Tag { get; set; } = [];
}
