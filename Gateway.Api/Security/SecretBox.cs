using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Security;

/// <summary>
/// Encrypts provider API keys at rest with AES-256-GCM under the master key. Ciphertexts live in
/// <see cref="ProviderSecret"/> documents, never in events.
/// </summary>
public sealed class SecretBox(byte[] masterKey)
{
    const int NonceSize = 12;
    const int TagSize = 16;

    public ProviderSecret Seal(Guid credentialId, string plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var input = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[input.Length];
        var tag = new byte[TagSize];
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Encrypt(nonce, input, cipher, tag, credentialId.ToByteArray());
        return new ProviderSecret { Id = credentialId, Nonce = nonce, Ciphertext = cipher, Tag = tag };
    }

    public string Open(ProviderSecret secret)
    {
        var plain = new byte[secret.Ciphertext.Length];
        using var aes = new AesGcm(masterKey, TagSize);
        aes.Decrypt(secret.Nonce, secret.Ciphertext, secret.Tag, plain, secret.Id.ToByteArray());
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
