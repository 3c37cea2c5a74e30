using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium, headless, driven by Playwright), each scenario through the UI
/// only — the API is used to check what the UI did, never to do it.
/// </summary>
[Collection(DashboardCollection.Name)]
public class DashboardBrowserTests(DashboardFixture ui)
{
    /// <summary>How long a page may take to show what it was asked for (the issue's "within 5 s").</summary>
    static readonly LocatorAssertionsToHaveAttributeOptions Within5s = new() { Timeout = 5_000 };

    static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/ui/");
        await page.GetByLabel("Admin key").FillAsync(key);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sign-out")).ToBeVisibleAsync();
    }

    static async Task GiveReasonAsync(IPage page, string reason)
    {
        await page.GetByLabel("Reason").FillAsync(reason);
        await page.GetByTestId("reason-confirm").ClickAsync();
    }

    [Fact]
    public async Task a_model_toggled_off_in_the_catalog_is_refused_on_the_next_request_and_served_again_when_toggled_on()
    {
        var (page, errors) = await ui.NewPageAsync();
        await SignInAsync(page, GatewayFixture.AdminKey);
        await page.GotoAsync("/ui/#/catalog");
        var toggle = page.GetByTestId("toggle-mock/gpt-4o-mini");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");

        await toggle.ClickAsync();
        await GiveReasonAsync(page, "browser test: off");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(404, await ui.ChatAsync(DashboardFixture.DemoKey, "mock/gpt-4o-mini"));

        await toggle.ClickAsync();
        await GiveReasonAsync(page, "browser test: on");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(200, await ui.ChatAsync(DashboardFixture.DemoKey, "mock/gpt-4o-mini"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task a_key_issued_in_the_browser_calls_the_gateway_and_its_request_shows_in_requests_and_overview_within_5_seconds()
    {
        var (page, errors) = await ui.NewPageAsync();
        await SignInAsync(page, GatewayFixture.AdminKey);
        var requestsBefore = await ShownAboveAsync(page.GetByTestId("total-requests"), -1);

        await page.GotoAsync("/ui/#/keys");
        await page.GetByTestId("issue-key").ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("browser key");
        await page.Locator("#key-team").SelectOptionAsync(new SelectOptionValue { Label = "demo" });
        await page.Locator("#key-reason").FillAsync("browser test: a key for the story");
        await page.GetByTestId("issue-key-submit").ClickAsync();
        // Copied with the page's own button, read back from the clipboard: what a user pastes into their app.
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        // The clipboard answers a focused page only: another test's page may have been brought to the front meanwhile.
        await page.BringToFrontAsync();
        await page.GetByTestId("copy-key-secret").ClickAsync();
        await Assertions.Expect(page.GetByTestId("new-key-panel")).ToContainTextAsync("Copied.");
        var secret = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.StartsWith("sk-gw-", secret);
        Assert.Equal(secret, await page.GetByTestId("new-key-secret").InputValueAsync());

        await page.GotoAsync("/ui/#/requests");
        await Assertions.Expect(page.GetByTestId("requests-table")).ToBeVisibleAsync();
        var (status, requestId) = await ui.ChatForIdAsync(secret, "mock/llama-3.1-8b", "Hello from a key issued in the browser");
        Assert.Equal(200, status);

        // The request log follows new traffic by itself: no reload between the request and its row.
        var row = page.Locator($"[data-testid=requests-table] tr[data-request-id='{requestId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(row).ToContainTextAsync("browser key");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByTestId("request-status")).ToContainTextAsync("200");
        Assert.True(Number(await page.GetByTestId("request-cost").InnerTextAsync()) > 0);
        await Assertions.Expect(page.GetByTestId("request-body")).ToContainTextAsync("Hello from a key issued in the browser");

        await page.GotoAsync("/ui/#/overview");
        var shown = await ShownAboveAsync(page.GetByTestId("total-requests"), requestsBefore);
        foreach (var chart in new[] { "chart-cost", "chart-tokens", "chart-requests", "chart-latency", "chart-rates" })
        {
            await Assertions.Expect(page.GetByTestId(chart)).Not.ToHaveAttributeAsync("data-points", "0", Within5s);
            Assert.True(await page.GetByTestId(chart).Locator("canvas").CountAsync() > 0, $"{chart} drew no canvas");
        }
        var charted = double.Parse((await page.GetByTestId("chart-requests").GetAttributeAsync("data-total"))!);
        Assert.Equal(shown, charted);

        // And it follows traffic while it stays open: within 5 s of the request, without a reload, numbers and charts.
        Assert.Equal(200, await ui.ChatAsync(secret, "mock/llama-3.1-8b"));
        await ShownAboveAsync(page.GetByTestId("total-requests"), shown);
        await Assertions.Expect(page.GetByTestId("chart-requests")).ToHaveAttributeAsync("data-total", (charted + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Within5s);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task finance_sees_costs_but_no_key_writes_and_a_wrong_key_cannot_sign_in()
    {
        var finance = await ui.AdminPostAsync("/admin/admin-keys", new { name = "finance in the browser", role = "finance" });
        var (page, errors) = await ui.NewPageAsync();

        await page.GotoAsync("/ui/");
        await page.GetByLabel("Admin key").FillAsync("sk-admin-wrong-0123456789abcdef0123456789");
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("not a valid admin key");
        await Assertions.Expect(page.GetByTestId("sign-out")).ToHaveCountAsync(0);

        await SignInAsync(page, finance.GetProperty("key").GetString()!);
        await Assertions.Expect(page.GetByTestId("session-role")).ToContainTextAsync("finance");
        await page.GotoAsync("/ui/#/costs");
        await Assertions.Expect(page.GetByTestId("cost-table")).ToBeVisibleAsync();
        await page.GotoAsync("/ui/#/keys");
        await Assertions.Expect(page.GetByTestId("keys-table")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("issue-key")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid^=revoke-], [data-testid^=rotate-]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("nav-audit")).ToHaveCountAsync(0);
        // 401s from a wrong key are expected console noise of the browser itself ("Failed to load resource"): nothing else.
        Assert.DoesNotContain(errors, e => !e.Contains("401"));
    }

    [Fact]
    public async Task every_page_of_every_role_loads_without_console_errors_and_without_serious_accessibility_violations()
    {
        var team = await DemoTeamAsync();
        if (!(await ui.AdminGetAsync("/admin/budgets")).EnumerateArray().Any(b => b.GetProperty("scopeId").ValueKind == JsonValueKind.String && b.GetProperty("scopeId").GetGuid() == team))
            await ui.AdminPostAsync("/admin/budgets", new { scope = "team", scopeId = team, limitUsd = 5m, thresholds = new[] { 50, 80 } });
        for (var i = 0; i < 5; i++) await ui.ChatAsync(DashboardFixture.DemoKey, i % 2 == 0 ? "mock/gpt-4o-mini" : "mock-anthropic/claude-sonnet-4-5");
        var requestId = await LatestRequestAsync();
        var screenshots = Environment.GetEnvironmentVariable("GATEWAY_SCREENSHOTS");
        (string Page, string? Shows)[] all =
        [
            ("overview", "chart-requests"), ("costs", "cost-table"), ("requests", "requests-table"), ($"requests/{requestId}", "attempts-table"),
            ("catalog", "models-table"), ("keys", "keys-table"), ("budgets", null), ("audit", "audit-table"),
        ];
        var roles = new (string Role, Guid? Team, string[] Pages)[]
        {
            ("admin", null, all.Select(p => p.Page).ToArray()),
            ("finance", null, ["overview", "costs", "requests", $"requests/{requestId}", "catalog", "keys", "budgets"]),
            ("auditor", null, ["overview", "requests", "catalog", "keys", "budgets", "audit"]),
            ("key-manager", team, ["keys", "catalog"]),
        };

        foreach (var (role, teamId, pages) in roles)
        {
            var key = role == "admin"
                ? GatewayFixture.AdminKey
                : (await ui.AdminPostAsync("/admin/admin-keys", new { name = $"{role} in the browser", role, teamId })).GetProperty("key").GetString()!;
            var (page, errors) = await ui.NewPageAsync();
            await page.GotoAsync("/ui/");
            if (role == "admin") await Check(page, "sign-in", screenshots);
            await SignInAsync(page, key);
            foreach (var (name, shows) in all.Where(p => pages.Contains(p.Page)))
            {
                await page.GotoAsync($"/ui/#/{name}");
                await Assertions.Expect(page.Locator("main h1")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator("main h1")).Not.ToHaveTextAsync("Not available");
                if (shows is not null) await Assertions.Expect(page.GetByTestId(shows)).ToBeVisibleAsync();
                else await Assertions.Expect(page.Locator("[data-testid^=budget-]").First).ToBeVisibleAsync();
                if (name == "overview") await Assertions.Expect(page.GetByTestId("chart-requests")).Not.ToHaveAttributeAsync("data-points", "0", Within5s);
                await Check(page, $"{role} {name}", role == "admin" ? screenshots : null, name.StartsWith("requests/") ? "request" : name);
            }
            Assert.True(errors.Count == 0, $"{role}: {string.Join("\n", errors)}");
            await page.Context.CloseAsync();
        }
    }

    /// <summary>axe-core over the page as it stands: no serious or critical violation; a screenshot when asked for.</summary>
    static async Task Check(IPage page, string name, string? screenshots, string? file = null)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Html).Take(2))}").ToList();
        Assert.True(serious.Count == 0, $"{name}: {string.Join("\n", serious)}");
        if (!string.IsNullOrEmpty(screenshots))
        {
            Directory.CreateDirectory(screenshots);
            await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"{file ?? name}.png"), FullPage = false });
        }
    }

    /// <summary>Waits up to 5 s for a headline number above <paramref name="floor"/>; the number shown.</summary>
    static async Task<double> ShownAboveAsync(ILocator number, double floor)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string text;
        do
        {
            text = await number.InnerTextAsync();
            if (text.Any(char.IsDigit) && Number(text) > floor) return Number(text);
            await Task.Delay(100);
        } while (clock.ElapsedMilliseconds < 5_000);
        throw new Xunit.Sdk.XunitException($"{number} still showed '{text}' after 5 s (expected above {floor}).");
    }

    static double Number(string text) => double.Parse(new string(text.Where(c => char.IsDigit(c) || c == '.').ToArray()), System.Globalization.CultureInfo.InvariantCulture);

    async Task<Guid> DemoTeamAsync() =>
        (await ui.AdminGetAsync("/admin/teams")).EnumerateArray().First(t => t.GetProperty("name").GetString() == "demo").GetProperty("id").GetGuid();

    async Task<string> LatestRequestAsync()
    {
        for (var i = 0; i < 50; i++)
        {
            var rows = (await ui.AdminGetAsync("/admin/analytics/requests?limit=1")).GetProperty("rows");
            if (rows.GetArrayLength() > 0) return rows[0][2].GetString()!;
            await Task.Delay(100);
        }
        throw new InvalidOperationException("No request reached the analytics export.");
    }
}
