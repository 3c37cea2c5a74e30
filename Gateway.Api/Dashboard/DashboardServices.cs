using Gateway.Api.Security;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The dashboard's session: an HttpOnly, SameSite=Strict cookie naming the admin key that signed in (never the key
/// itself) and its session, both checked on every call so that a revoked key's sessions and a signed-out session end
/// at once; writes also need the anti-forgery token the session hands to the page.
/// </summary>
public static class DashboardServices
{
    public const string Scheme = "dashboard";
    public const string SessionCookie = "gateway_session";
    public const string CsrfHeader = "X-CSRF-TOKEN";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddDashboard(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton<DashboardSessions>();
        services.AddSingleton<Audit.ChainVerifier>();
        // Behind a proxy that ends TLS the gateway sees plain HTTP: the setting makes the cookies Secure regardless.
        var secure = options.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddDataProtection().SetApplicationName("gateway-dashboard");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(keys =>
        {
            keys.XmlRepository = new DashboardKeyRing(sp.GetRequiredService<GatewayOptions>());
            keys.XmlEncryptor = new MasterKeyXmlEncryptor(sp.GetRequiredService<SecretBox>());
        }));
        // No default scheme (ASP.NET Core would make a lone scheme the default and authenticate every request with
        // it): only /admin and /ui ask for the session, so a /v1 request never reads a cookie.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddCookie(Scheme, cookie =>
            {
                cookie.Cookie.Name = SessionCookie;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = secure;
                cookie.Cookie.Path = "/";
                // An absolute lifetime: an open tab that polls does not keep a session alive for ever.
                cookie.ExpireTimeSpan = SessionLifetime;
                cookie.SlidingExpiration = false;
                // An API, not a site with a login page: no redirects, the caller gets the status.
                cookie.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = 401; return Task.CompletedTask; };
                cookie.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = 403; return Task.CompletedTask; };
            });
        services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.MimeTypes = ["text/html", "text/css", "text/javascript", "application/javascript"];
        });
        services.AddAntiforgery(csrf =>
        {
            csrf.HeaderName = CsrfHeader;
            csrf.Cookie.Name = "gateway_csrf";
            csrf.Cookie.HttpOnly = true;
            csrf.Cookie.SameSite = SameSiteMode.Strict;
            csrf.Cookie.SecurePolicy = secure;
        });
        return services;
    }
}
