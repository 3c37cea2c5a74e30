using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Gateway.Tests.Cli;

namespace Gateway.Tests.SupplyChain;

/// <summary>What we ship is locked and audited (docs/supply-chain.md).</summary>
public class SupplyChainTests
{
    static IEnumerable<string> Projects() =>
        Directory.EnumerateFiles(Repository.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git"));

    [Fact]
    public void every_project_has_a_lock_file_that_pins_each_package_it_references()
    {
        var projects = Projects().ToList();
        Assert.Contains(projects, p => p.EndsWith("Gateway.Api.csproj", StringComparison.Ordinal));
        Assert.Contains(projects, p => p.Contains($"{Path.DirectorySeparatorChar}bench{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var project in projects)
        {
            var lockFile = Path.Combine(Path.GetDirectoryName(project)!, "packages.lock.json");
            Assert.True(File.Exists(lockFile), $"{Path.GetRelativePath(Repository.Root, project)} has no packages.lock.json");
            var pinned = JsonDocument.Parse(File.ReadAllText(lockFile)).RootElement.GetProperty("dependencies")
                .EnumerateObject().SelectMany(framework => framework.Value.EnumerateObject())
                .Where(p => p.Value.GetProperty("type").GetString() == "Direct")
                .Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var reference in XDocument.Load(project).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value))
                Assert.True(pinned.Contains(reference), $"{Path.GetRelativePath(Repository.Root, lockFile)} does not pin {reference}");
        }
    }

    /// <summary>
    /// A restore with the repository's settings against a vulnerability feed served on loopback (the package source
    /// here serves none): a high-severity advisory fails it with NU1903 as an error; a moderate one is not reported.
    /// </summary>
    [Fact]
    public async Task a_package_with_a_known_high_vulnerability_fails_the_restore_and_a_moderate_one_does_not()
    {
        var port = TestClients.FreePort();
        var feed = $"http://127.0.0.1:{port}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(feed);
        listener.Start();
        var pages = new Dictionary<string, string>
        {
            ["/index.json"] = $$"""{"version":"3.0.0","resources":[{"@id":"{{feed}}vulnerability/index.json","@type":"VulnerabilityInfo/6.7.0"}]}""",
            ["/vulnerability/index.json"] = $$"""[{"@name":"base","@id":"{{feed}}vulnerability/base.json","@updated":"2026-12-01T00:00:00Z"}]""",
            ["/vulnerability/base.json"] = """
                {"fluentvalidation":[{"severity":2,"url":"https://advisories.invalid/high","versions":"[12.0.0, 12.3.0)"}],
                 "polly.core":[{"severity":1,"url":"https://advisories.invalid/moderate","versions":"[8.0.0, 9.0.0)"}]}
                """,
        };
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await listener.GetContextAsync().WaitAsync(stop.Token);
                var found = pages.TryGetValue(context.Request.Url!.AbsolutePath, out var body);
                context.Response.StatusCode = found ? 200 : 404;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(body ?? ""));
                context.Response.Close();
            }
        });

        var dir = Directory.CreateTempSubdirectory("gw-audit-");
        try
        {
            // The repository's restore settings; the package versions the solution pins (already in the package cache).
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "Directory.Build.props"),
                $"""<Project><Import Project="{Path.Combine(Repository.Root, "Directory.Build.props")}" /></Project>""");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "audited.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup>
                    <PackageReference Include="FluentValidation" Version="12.2.0" />
                    <PackageReference Include="Polly.Core" Version="8.9.1" />
                  </ItemGroup>
                </Project>
                """);
            // Added to the machine's own NuGet settings (its package source), as an audit source only.
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "nuget.config"), $"""
                <configuration>
                  <auditSources>
                    <clear />
                    <add key="loopback-advisories" value="{feed}index.json" allowInsecureConnections="true" />
                  </auditSources>
                </configuration>
                """);

            var restore = await CliProcess.RunAsync("dotnet", ["restore", Path.Combine(dir.FullName, "audited.csproj"), "-p:RestoreLockedMode=false"],
                new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

            Assert.True(restore.ExitCode != 0, restore.ToString());
            Assert.Contains("error NU1903", restore.Stdout);
            Assert.Contains("'FluentValidation' 12.2.0 has a known high severity vulnerability", restore.Stdout);
            Assert.DoesNotContain("Polly.Core", restore.Stdout);
        }
        finally
        {
            stop.Cancel();
            listener.Stop();
            await serving.ContinueWith(_ => { });
            dir.Delete(recursive: true);
        }
    }
}
