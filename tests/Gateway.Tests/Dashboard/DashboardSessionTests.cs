using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard's session, over a real socket with a cookie jar as a browser keeps one: the key is checked once and
/// never kept, the cookie is HttpOnly and SameSite=Strict, a change needs the anti-forgery token, a revoked admin key's
/// session ends on its next call, and every page comes with a strict Content-Security-Policy.
/// </summary>
[Collection(DashboardCollection.Name)]
public class DashboardSessionTests(DashboardFixture ui)
{
    (HttpClient Client, CookieContainer Cookies) Browser()
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = ui.Node.BaseAddress }, cookies);
    }

    static async Task<JsonElement> SignInAsync(HttpClient client, string key)
    {
        using var response = await client.PostAsJsonAsync("/ui/session", new { key });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var setCookie = string.Join("\n", response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("gateway_session=", setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, setCookie);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task a_wrong_key_is_refused_in_problem_details_and_sets_no_session()
    {
        var (client, cookies) = Browser();

        using var response = await client.PostAsJsonAsync("/ui/session", new { key = "sk-admin-not-a-real-key-0123456789" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("That is not a valid admin key.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "gateway_session");
        using var admin = await client.GetAsync("/admin/models");
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
    }

    [Fact]
    public async Task a_session_reads_with_its_cookie_and_changes_only_with_its_anti_forgery_token()
    {
        var (client, _) = Browser();
        var session = await SignInAsync(client, GatewayFixture.AdminKey);
        Assert.Equal("admin", session.GetProperty("role").GetString());
        var models = await client.GetFromJsonAsync<JsonElement>("/admin/models");
        var model = models.EnumerateArray().First(m => m.GetProperty("publicId").GetString() == "mock/llama-3.1-8b").GetProperty("id").GetGuid();

        using var forged = await client.PostAsync($"/admin/models/{model}/disable", null);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("X-CSRF-TOKEN", (await forged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(200, await ui.ChatAsync(DashboardFixture.DemoKey, "mock/llama-3.1-8b"));

        using var disable = new HttpRequestMessage(HttpMethod.Post, $"/admin/models/{model}/disable");
        disable.Headers.Add("X-CSRF-TOKEN", session.GetProperty("csrfToken").GetString());
        disable.Headers.Add("X-Audit-Reason", "session test");
        using var disabled = await client.SendAsync(disable);
        Assert.True(disabled.IsSuccessStatusCode, await disabled.Content.ReadAsStringAsync());
        Assert.Equal(404, await ui.ChatAsync(DashboardFixture.DemoKey, "mock/llama-3.1-8b"));

        using var enable = new HttpRequestMessage(HttpMethod.Post, $"/admin/models/{model}/enable");
        enable.Headers.Add("X-CSRF-TOKEN", session.GetProperty("csrfToken").GetString());
        using var enabled = await client.SendAsync(enable);
        Assert.True(enabled.IsSuccessStatusCode);
        Assert.Equal(200, await ui.ChatAsync(DashboardFixture.DemoKey, "mock/llama-3.1-8b"));
    }

    [Fact]
    public async Task a_revoked_admin_key_ends_its_sessions_on_their_next_call()
    {
        var issued = await ui.AdminPostAsync("/admin/admin-keys", new { name = "finance for revocation", role = "finance" });
        var (client, _) = Browser();
        await SignInAsync(client, issued.GetProperty("key").GetString()!);
        using (var before = await client.GetAsync("/admin/analytics/cost")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using (var write = await client.PostAsJsonAsync("/admin/teams", new { name = "not allowed" })) Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);

        await ui.AdminPostAsync($"/admin/admin-keys/{issued.GetProperty("id").GetGuid()}/revoke", null);

        using var after = await client.GetAsync("/admin/analytics/cost");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        using var session = await client.GetAsync("/ui/session");
        Assert.Equal(HttpStatusCode.NoContent, session.StatusCode);
    }

    [Fact]
    public async Task signing_out_ends_the_session_on_the_server_so_a_kept_copy_of_the_cookie_is_refused()
    {
        var (client, cookies) = Browser();
        var session = await SignInAsync(client, GatewayFixture.AdminKey);
        var kept = cookies.GetAllCookies().Single(c => c.Name == "gateway_session").Value;
        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/ui/session");
        signOut.Headers.Add("X-CSRF-TOKEN", session.GetProperty("csrfToken").GetString());
        using (var ended = await client.SendAsync(signOut)) Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);

        using (var admin = await client.GetAsync("/admin/models")) Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        using var replay = new HttpClient { BaseAddress = ui.Node.BaseAddress };
        using var replayed = new HttpRequestMessage(HttpMethod.Get, "/admin/models");
        replayed.Headers.Add("Cookie", $"gateway_session={kept}");
        using var refused = await replay.SendAsync(replayed);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task a_change_with_another_sessions_token_a_wrong_token_or_an_odd_method_is_refused()
    {
        var (client, _) = Browser();
        await SignInAsync(client, GatewayFixture.AdminKey);
        var (other, _) = Browser();
        var othersToken = (await SignInAsync(other, GatewayFixture.AdminKey)).GetProperty("csrfToken").GetString()!;
        var teams = await client.GetFromJsonAsync<JsonElement>("/admin/teams");
        var team = teams.EnumerateArray().First().GetProperty("id").GetGuid();

        foreach (var (method, url, token) in new (HttpMethod, string, string?)[]
                 {
                     (HttpMethod.Post, "/admin/teams", othersToken),
                     (HttpMethod.Post, "/admin/teams", "not-a-token"),
                     (HttpMethod.Put, $"/admin/teams/{team}/retention", null),
                     (HttpMethod.Delete, $"/admin/keys/{Guid.NewGuid()}/bodies", null),
                 })
        {
            using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(new { name = "forged", days = 1 }) };
            if (token is not null) request.Headers.Add("X-CSRF-TOKEN", token);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} with token '{token}': {(int)response.StatusCode}");
        }
        using (var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/admin/teams")))
            Assert.Equal(HttpStatusCode.MethodNotAllowed, options.StatusCode);
        // A wrong Authorization header is not rescued by the cookie.
        using var mixed = new HttpRequestMessage(HttpMethod.Get, "/admin/teams");
        mixed.Headers.Add("Authorization", "Bearer sk-admin-wrong-0123456789abcdef0123456789");
        using (var refused = await client.SendAsync(mixed)) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonElement>("/admin/teams")).EnumerateArray(), t => t.GetProperty("name").GetString() == "forged");
    }

    [Fact]
    public async Task a_sign_in_body_past_the_limit_is_refused_with_413()
    {
        var (client, _) = Browser();

        using var response = await client.PostAsync("/ui/session",
            new StringContent($"{{\"key\":\"{new string('A', 2 * 1024 * 1024)}\"}}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task the_dashboard_is_served_by_the_gateway_with_a_strict_content_security_policy()
    {
        var (client, _) = Browser();
        using (var bare = await client.GetAsync("/ui")) Assert.Equal("/ui/", bare.Headers.Location?.OriginalString);

        using var page = await client.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe", csp);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        using var chart = await client.GetAsync("/ui/vendor/uPlot.iife.min.js");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
    }
}
