namespace Gateway.Tests.Admin;

[Collection(GatewayCollection.Name)]
public class KeyUsageTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_fresh_key_s_usage_names_its_team_before_any_request()
    {
        var key = await gateway.NewKeyAsync();
        var usage = await gateway.AdminGetAsync($"/admin/keys/{key.Id}/usage");
        Assert.Equal(key.Id, usage.GetProperty("id").GetGuid());
        Assert.Equal(key.TeamId, usage.GetProperty("teamId").GetGuid());
        Assert.Equal(0, usage.GetProperty("requests").GetInt64());
    }
}
