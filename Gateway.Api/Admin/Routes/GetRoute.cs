using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Routes;

/// <summary>One route by its public name: where a route's definition points (<c>Location</c>).</summary>
public static class GetRouteEndpoint
{
    [WolverineGet("/admin/routes/{name}", OperationId = "getRoute")]
    [Tags("routes")]
    [ProducesResponseType<RouteResponse>(200)]
    public static async Task<IResult> Get(string name, IQuerySession session, CancellationToken ct) =>
        await session.Query<RouteView>().FirstOrDefaultAsync(r => r.Name == name && !r.Removed, ct) is { } route
            ? Results.Ok(RouteResponse.From(route))
            : Results.Problem(AdminProblems.NotFound($"No route named '{name}'."));
}
