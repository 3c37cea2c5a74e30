namespace Gateway.Domain.Routes;

/// <summary>
/// A target (catalog model) was taken out of rotation after repeated failures, for <paramref name="BreakSeconds"/>.
/// Appended to the model's stream, so its history shows when it left and came back.
/// </summary>
public sealed record CircuitOpened(Guid ModelId, string Model, double BreakSeconds, string LastFailure);

/// <summary>The cool-down ended: the next request to the target is a single probe.</summary>
public sealed record CircuitHalfOpened(Guid ModelId, string Model);

/// <summary>A probe succeeded: the target is back in rotation.</summary>
public sealed record CircuitClosed(Guid ModelId, string Model);
