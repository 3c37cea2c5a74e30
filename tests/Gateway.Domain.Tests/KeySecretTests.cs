using Gateway.Domain.Keys;

namespace Gateway.Domain.Tests;

public class KeySecretTests
{
    [Fact]
    public void new_keys_are_distinct_and_carry_their_prefix()
    {
        var a = KeySecret.NewGatewayKey();
        var b = KeySecret.NewGatewayKey();

        Assert.NotEqual(a, b);
        Assert.StartsWith(KeySecret.GatewayPrefix, a);
        Assert.True(a.Length > 40);
    }

    [Fact]
    public void the_stored_hash_never_contains_the_secret_and_matches_the_request_time_hash()
    {
        var secret = KeySecret.NewGatewayKey();
        var stored = KeySecret.Hash(secret);

        Assert.DoesNotContain(secret, stored);
        Assert.Equal(64, stored.Length);
        Assert.Equal(KeyHash.FromHex(stored), KeyHash.Of(secret.AsSpan()));
        Assert.NotEqual(KeyHash.FromHex(stored), KeyHash.Of((secret + "x").AsSpan()));
    }

    [Fact]
    public void display_form_shows_only_a_prefix()
    {
        var secret = KeySecret.NewGatewayKey();
        var display = KeySecret.Display(secret);

        Assert.EndsWith("…", display);
        Assert.True(display.Length < 16);
        Assert.StartsWith(display.TrimEnd('…'), secret);
    }
}
