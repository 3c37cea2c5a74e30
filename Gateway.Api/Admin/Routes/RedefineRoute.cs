using Gateway.Api.ControlPlane;
using Gateway.Domain.Routes;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Routes;

/// <summary>Replace a route's targets and policy as a whole; the change applies to the next request.</summary>
public static class RedefineRouteEndpoint
{
    public static ProblemDetails Validate(string name, DefineRoute command, ControlPlaneViews views) =>
        command is not null && command.Name != name
            ? AdminProblems.Invalid("name", "must match the route in the URL.")
            : AdminProblems.Check(new DefineRouteValidator(views.Current), command);

    [WolverinePut("/admin/routes/{name}", OperationId = "redefineRoute")]
    [Tags("routes")]
    [ProducesResponseType<RouteResponse>(200)]
    public static async Task<IResult> Put(string name, DefineRoute command, IDocumentSession session, CancellationToken ct)
    {
        var route = await session.Query<RouteView>().FirstOrDefaultAsync(r => r.Name == name && !r.Removed, ct);
        if (route is null) return Results.Problem(AdminProblems.NotFound($"No route named '{name}'."));
        session.Events.Append(route.Id, new RouteDefined(route.Id, name, command.ResolvedTiers(), command.Policy ?? RoutePolicy.Default));
        await session.SaveChangesAsync(ct);
        return Results.Ok(RouteResponse.From((await session.LoadAsync<RouteView>(route.Id, ct))!));
    }
}

public static class RemoveRouteEndpoint
{
    [WolverineDelete("/admin/routes/{name}", OperationId = "removeRoute")]
    [Tags("routes")]
    public static async Task<IResult> Delete(string name, IDocumentSession session, CancellationToken ct)
    {
        var route = await session.Query<RouteView>().FirstOrDefaultAsync(r => r.Name == name && !r.Removed, ct);
        if (route is null) return Results.Problem(AdminProblems.NotFound($"No route named '{name}'."));
        session.Events.Append(route.Id, new RouteRemoved(route.Id, name));
        await session.SaveChangesAsync(ct);
        return Results.NoContent();
    }
}

public static class ListRoutesEndpoint
{
    [WolverineGet("/admin/routes", OperationId = "listRoutes")]
    [Tags("routes")]
    public static async Task<IReadOnlyList<RouteResponse>> Get(IQuerySession session, CancellationToken ct) =>
        (await session.Query<RouteView>().Where(r => !r.Removed).OrderBy(r => r.Name).ToListAsync(ct)).Select(RouteResponse.From).ToList();
}
