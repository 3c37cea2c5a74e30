namespace Gateway.Domain.Requests;

/// <summary>
/// Request and response bodies were erased — on demand for one request or one key, or because they outlived their
/// team's retention period. Only the bodies: every request's record (tokens, cost, model, time, key) stays, and so
/// does the hash chain, since bodies were never part of an event. Version 1; who asked and why are in its headers.
/// </summary>
/// <param name="Scope">request, key or retention.</param>
/// <param name="StoredBefore">For retention: bodies stored before this instant were erased.</param>
/// <param name="Count">How many requests' bodies were removed.</param>
public sealed record RequestBodiesErased(Guid ErasureId, string Scope, Guid? RequestId, Guid? KeyId, Guid? TeamId, DateTimeOffset? StoredBefore, int Count)
    : IControlPlaneEvent;
