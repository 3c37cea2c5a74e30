using System.Security.Cryptography;
using System.Text;

namespace Gateway.Domain.Keys;

/// <summary>
/// Gateway and admin key secrets: 256 random bits, shown once, stored only as a SHA-256 hash.
/// A fast hash is right here because the secret has full entropy; there is nothing to brute-force.
/// </summary>
public static class KeySecret
{
    public const string GatewayPrefix = "sk-gw-";
    public const string AdminPrefix = "sk-admin-";
    const int DisplayChars = 10;

    public static string NewGatewayKey() => GatewayPrefix + RandomToken();

    public static string NewAdminKey() => AdminPrefix + RandomToken();

    public static string Display(string secret) => secret.Length <= DisplayChars ? secret : secret[..DisplayChars] + "…";

    public static string Hash(string secret) => KeyHash.Of(secret).ToHex();

    static string RandomToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', 'A').Replace('/', 'z');
}

/// <summary>A SHA-256 digest as four machine words: a dictionary key that costs no allocation per request.</summary>
public readonly record struct KeyHash(ulong A, ulong B, ulong C, ulong D)
{
    public static KeyHash Of(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = stackalloc byte[256];
        byte[]? rented = null;
        var max = Encoding.UTF8.GetMaxByteCount(secret.Length);
        if (max > utf8.Length) utf8 = rented = new byte[max];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        return Of((ReadOnlySpan<byte>)utf8[..length]);
    }

    public static KeyHash Of(ReadOnlySpan<byte> utf8Secret)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(utf8Secret, digest);
        return FromDigest(digest);
    }

    public static KeyHash FromHex(string hex)
    {
        Span<byte> digest = stackalloc byte[32];
        Convert.FromHexString(hex, digest, out _, out _);
        return FromDigest(digest);
    }

    public string ToHex()
    {
        Span<byte> digest = stackalloc byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(digest, A);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(digest[8..], B);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(digest[16..], C);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(digest[24..], D);
        return Convert.ToHexStringLower(digest);
    }

    static KeyHash FromDigest(ReadOnlySpan<byte> d) => new(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d[8..]),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d[16..]),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(d[24..]));
}
