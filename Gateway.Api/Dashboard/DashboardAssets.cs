using Microsoft.Extensions.FileProviders;

namespace Gateway.Api.Dashboard;

/// <summary>
/// Serves the dashboard's static files at <c>/ui/</c> from the gateway itself (no second server, nothing from another
/// origin), with a strict Content-Security-Policy: scripts, styles and calls from this origin only, no inline code.
/// </summary>
public static class DashboardAssets
{
    const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                          "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app)
    {
        // WebApplication puts UseAuthentication at the top of every pipeline once a scheme is registered, unless this
        // mark says it is placed: the session is read by /admin and /ui alone (AdminAuth, DashboardSession), so a /v1
        // request runs no authentication middleware at all.
        app.Properties["__AuthenticationMiddlewareSet"] = true;
        var root = Path.Combine(AppContext.BaseDirectory, "dashboard");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DashboardAssets))
                .LogWarning("The dashboard's files are not in {Folder}: /ui answers 404 (build Gateway.Api with npm on the PATH)", root);
            return app;
        }
        var files = new PhysicalFileProvider(root);
        return app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/ui"), branch =>
        {
            branch.Use((ctx, next) =>
            {
                if (ctx.Request.Path.Value is "/ui")
                {
                    // Relative links in the page need the trailing slash.
                    ctx.Response.Redirect("/ui/");
                    return Task.CompletedTask;
                }
                var headers = ctx.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return next(ctx);
            });
            // Compressed (gzip, Brotli) on the way out: the page's scripts and styles only, never an API answer.
            branch.UseResponseCompression();
            branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/ui" });
            branch.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                RequestPath = "/ui",
                // Revalidated each load (ETag): an upgraded gateway never serves yesterday's script.
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
            });
        });
    }
}
