using System.Net;
using System.Text;
using Gateway.Domain.Budgets;

namespace Gateway.Domain.Tests;

public class WebhookTests
{
    [Theory]
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://127.9.8.7:8080/hook")]
    [InlineData("http://localhost:9000/hook")]
    [InlineData("http://hooks.LOCALHOST./hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.16.0.1/hook")]
    [InlineData("http://172.31.255.255/hook")]
    [InlineData("http://192.168.1.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[::]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[fd12:3456::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[::ffff:10.0.0.1]/hook")]
    [InlineData("http://2130706433/hook")] // 127.0.0.1 written as one number
    [InlineData("http://192.0.2.2/hook")]
    [InlineData("http://198.18.0.1/hook")]
    [InlineData("http://[2001:db8::1]/hook")]
    [InlineData("http://[64:ff9b::a00:1]/hook")] // NAT64 of 10.0.0.1
    public void a_webhook_into_the_gateway_s_own_network_is_refused(string url) =>
        Assert.NotNull(WebhookTarget.RefusalOf(new Uri(url)));

    [Theory]
    [InlineData("https://hooks.example.com/budget")]
    [InlineData("http://93.184.216.34/hook")]
    [InlineData("http://172.32.0.1/hook")]
    [InlineData("http://[2606:4700::1111]/hook")]
    [InlineData("http://[64:ff9b::808:808]/hook")] // NAT64 of 8.8.8.8
    public void a_public_webhook_is_allowed(string url) =>
        Assert.Null(WebhookTarget.RefusalOf(new Uri(url)));

    [Fact]
    public void addresses_a_name_resolves_to_are_judged_the_same_way()
    {
        Assert.NotNull(WebhookTarget.RefusalOf(IPAddress.Parse("10.0.0.7")));
        Assert.NotNull(WebhookTarget.RefusalOf(IPAddress.IPv6Loopback));
        Assert.Null(WebhookTarget.RefusalOf(IPAddress.Parse("8.8.8.8")));
    }

    [Fact]
    public void a_signature_is_hmac_sha256_of_timestamp_dot_body_and_verifies_only_unchanged_and_fresh()
    {
        var body = Encoding.UTF8.GetBytes("{\"type\":\"budget.threshold_crossed\"}");
        var at = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var header = WebhookSignature.Sign("whsec_test", at, body);

        // The same value any HMAC tool gives for key "whsec_test" and message "1790000000.{body}".
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes("whsec_test"), Encoding.UTF8.GetBytes("1790000000.{\"type\":\"budget.threshold_crossed\"}")));
        Assert.Equal($"t=1790000000,v1={expected}", header);

        Assert.True(WebhookSignature.Verify("whsec_test", header, body, at.AddSeconds(30), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", header, body, at, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", header, Encoding.UTF8.GetBytes("{}"), at, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test", header, body, at.AddMinutes(10), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void new_secrets_are_distinct_and_long()
    {
        var a = WebhookSignature.NewSecret();
        Assert.StartsWith(WebhookSignature.SecretPrefix, a);
        Assert.NotEqual(a, WebhookSignature.NewSecret());
        Assert.Equal(WebhookSignature.SecretPrefix.Length + 64, a.Length);
    }
}
