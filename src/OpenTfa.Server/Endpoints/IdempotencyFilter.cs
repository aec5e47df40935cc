using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// <c>Idempotency-Key</c> on sends and resends (and Twilio verification starts): the same key with the same request within
/// 24 h answers the first answer again and sends nothing; the same key with another request
/// is refused with 422; a duplicate that arrives while the first is running waits for its
/// answer. Only successful answers are kept. Keys are scoped per tenant and endpoint.
/// </summary>
internal sealed class IdempotencyFilter(IIdempotencyStore store, TimeProvider time) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    private static readonly TimeSpan InFlightTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? key = http.Request.Headers[Header];
        if (key is null)
        {
            return await next(context);
        }

        if (key.Length is 0 or > 255 || key.Any(c => c is < ' ' or > '~'))
        {
            return Surface.ErrorResult(http.Request.Path, TfaError.Field(Header, "must be 1 to 255 printable ASCII characters"));
        }

        (byte[] raw, TfaError? bodyError) = await ReadBodyAsync(http.Request);
        if (bodyError is not null)
        {
            // Refused before the key is claimed: the body could not be fingerprinted faithfully
            // (a repeated key cannot be canonicalized), and the handler would refuse it anyway.
            return Surface.ErrorResult(http.Request.Path, bodyError);
        }

        string tenant = http.Caller().TenantId;
        string scope = $"{http.Request.Method} {http.Request.Path}";
        byte[] fingerprint = Fingerprint(http.Request, raw);
        CancellationToken ct = http.RequestAborted;
        DateTimeOffset waitUntil = time.GetUtcNow() + WaitLimit;
        while (true)
        {
            IdempotencyBegin begin = await store.BeginIdempotentAsync(tenant, scope, key, fingerprint, time.GetUtcNow(), InFlightTimeout, ct);
            switch (begin)
            {
                case IdempotencyBegin.Mismatch:
                    return Refused(http.Request.Path, StatusCodes.Status422UnprocessableEntity,
                        $"The Idempotency-Key '{key}' was already used with a different request on this endpoint; use a new key for a new request");
                case IdempotencyBegin.Completed done:
                    http.Response.Headers[ReplayedHeader] = "true";
                    return new ReplayResult(done.Status, done.Body);
                case IdempotencyBegin.InFlight when time.GetUtcNow() < waitUntil:
                    await Task.Delay(TimeSpan.FromMilliseconds(50), time, ct);
                    continue;
                case IdempotencyBegin.InFlight:
                    return Refused(http.Request.Path, StatusCodes.Status409Conflict,
                        $"A request with the Idempotency-Key '{key}' is still being processed; retry later");
            }

            break;
        }

        return await RunAndRememberAsync(context, next, tenant, scope, key);
    }

    /// <summary>A reuse of a key, in the envelope of the surface the endpoint belongs to.</summary>
    private static IResult Refused(PathString path, int status, string text) =>
        Surface.IsTwilio(path) ? TwilioErrorResults.Result(status, Core.Twilio.TwilioErrors.InvalidParameter, text) : InfobipErrors.Result(status, "BAD_REQUEST", text);

    private async Task<object?> RunAndRememberAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string tenant, string scope, string key)
    {
        HttpContext http = context.HttpContext;
        Stream original = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        try
        {
            if (await next(context) is IResult result)
            {
                await result.ExecuteAsync(http);
            }
        }
        catch
        {
            http.Response.Body = original;
            await store.AbandonIdempotentAsync(tenant, scope, key, CancellationToken.None);
            throw;
        }

        http.Response.Body = original;
        byte[] body = captured.ToArray();
        if (http.Response.StatusCode is >= 200 and < 300)
        {
            await store.CompleteIdempotentAsync(tenant, scope, key, http.Response.StatusCode, body, time.GetUtcNow() + Retention, CancellationToken.None);
        }
        else
        {
            await store.AbandonIdempotentAsync(tenant, scope, key, CancellationToken.None);
        }

        await original.WriteAsync(body, http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>Buffers the body for the handler, and refuses a JSON body that <see cref="JsonBody.Inspect"/> refuses.</summary>
    private static async Task<(byte[] Raw, TfaError? Error)> ReadBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        byte[] raw = buffer.ToArray();
        return (raw, raw.Length > 0 && JsonBody.HasJsonBody(request) ? JsonBody.Inspect(JsonBody.WithoutByteOrderMark(raw).Span) : null);
    }

    /// <summary>SHA-256 of the query and the body as canonical JSON (keys sorted, no whitespace), so that formatting does not matter.</summary>
    private static byte[] Fingerprint(HttpRequest request, byte[] raw)
    {
        var canonical = new StringBuilder(request.QueryString.Value ?? string.Empty).Append('\n');
        try
        {
            if (raw.Length > 0)
            {
                Canonicalize(JsonNode.Parse(JsonBody.WithoutByteOrderMark(raw).Span), canonical);
            }
        }
        catch (JsonException)
        {
            canonical.Append(Convert.ToBase64String(raw));
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
    }

    private static void Canonicalize(JsonNode? node, StringBuilder into)
    {
        switch (node)
        {
            case JsonObject o:
                into.Append('{');
                bool first = true;
                foreach ((string name, JsonNode? value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    into.Append(first ? string.Empty : ",").Append('"').Append(JsonEncodedText.Encode(name).ToString()).Append('"').Append(':');
                    Canonicalize(value, into);
                    first = false;
                }

                into.Append('}');
                break;
            case JsonArray a:
                into.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    into.Append(i == 0 ? string.Empty : ",");
                    Canonicalize(a[i], into);
                }

                into.Append(']');
                break;
            case null:
                into.Append("null");
                break;
            default:
                into.Append(node.ToJsonString());
                break;
        }
    }

    private sealed class ReplayResult(int status, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
        }
    }
}
