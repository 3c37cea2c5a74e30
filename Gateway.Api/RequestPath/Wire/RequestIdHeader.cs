namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// The <c>x-request-id</c> every /v1 response carries: the id of the request's record, or a fresh one where no record
/// is written (a refused key, an unknown path), so a client can still quote it in a report.
/// </summary>
public static class RequestIdHeader
{
    public const string Name = "x-request-id";

    public static void Stamp(HttpContext ctx, TimeProvider time) =>
        ctx.Response.Headers[Name] = Guid.CreateVersion7(time.GetUtcNow()).ToString();
}
