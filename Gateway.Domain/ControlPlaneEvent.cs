namespace Gateway.Domain;

/// <summary>
/// Marks events that change what the hot path serves (keys, catalog, providers). After such an
/// event commits, every in-memory view of the control plane is refreshed before the next request.
/// </summary>
public interface IControlPlaneEvent;
