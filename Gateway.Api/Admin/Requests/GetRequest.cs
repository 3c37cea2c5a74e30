using Gateway.Domain.Requests;
using Gateway.Projections;
using Marten;
using Marten.Events.Archiving;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Requests;

public sealed record RequestDetails(RequestCompleted Record, long Sequence, RequestBodies? Bodies);

public static class GetRequestEndpoint
{
    /// <summary>One request's record and, unless erased or expired, its bodies.</summary>
    [WolverineGet("/admin/requests/{id}", OperationId = "getRequest")]
    [Tags("requests")]
    [ProducesResponseType<RequestDetails>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        // Archived request streams too (docs/scaling.md): FetchStream reads only the hot partition.
        var events = await session.Events.QueryAllRawEvents().Where(e => e.StreamId == id && e.MaybeArchived()).ToListAsync(ct);
        var record = events.FirstOrDefault(e => e.Data is RequestCompleted);
        if (record is null) return Results.Problem(AdminProblems.NotFound($"No request with id {id}."));
        var bodies = await RequestBodiesTable.LoadAsync(session, id, ct);
        return Results.Ok(new RequestDetails((RequestCompleted)record.Data, record.Sequence, bodies));
    }
}
