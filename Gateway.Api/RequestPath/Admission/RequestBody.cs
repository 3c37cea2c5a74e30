using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>How reading a request's body ended.</summary>
public enum BodyRead { Complete, TooLarge, TimedOut, Malformed, ClientLeft }

/// <summary>Reads a request's whole body, within <see cref="GatewayOptions.RequestBodyTimeout"/> and the size limit.</summary>
public static class RequestBody
{
    public static async Task<BodyRead> ReadAsync(HttpContext ctx, PooledBuffer body, GatewayOptions options)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(options.RequestBodyTimeout);
        try
        {
            return await body.ReadFromAsync(ctx.Request.Body, options.MaxRequestBodyBytes, timeout.Token) ? BodyRead.Complete : BodyRead.TooLarge;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return BodyRead.TimedOut; // Kestrel's minimum request body data rate
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            return BodyRead.TimedOut;
        }
        catch (BadHttpRequestException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            return BodyRead.Malformed; // bad chunk framing, a body shorter than its Content-Length…
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return BodyRead.ClientLeft;
        }
    }
}
