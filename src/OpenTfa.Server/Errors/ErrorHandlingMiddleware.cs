using System.Data.Common;
using Microsoft.AspNetCore.Http.Features;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Errors;

/// <summary>
/// Framework-level failures in the right envelope: a control character in a route or query
/// value, unknown routes and wrong methods on <c>/2fa/2/*</c>, bodies over the cap, a store
/// that is down (503, always with <c>Retry-After</c>), and anything unexpected (500 without a stack trace).
/// </summary>
internal sealed partial class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        RetryAfter.OnEvery503(context);
        if (RequestTextCheck.Find(context) is { } refused)
        {
            await Surface.ErrorResult(context.Request.Path, refused).ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? "Request body too large"
                : "Bad request: the request could not be read", ErrorKind.BadRequest);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && IsStoreFailure(ex))
        {
            Log.StoreUnavailable(logger, Describe(ex), LogPaths.Redact(context.Request.Path));
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorTexts.StoreUnavailable, ErrorKind.Unavailable);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            Log.Unexpected(logger, ex, context.Request.Method, LogPaths.Redact(context.Request.Path));
            await WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorTexts.StoreUnavailable, ErrorKind.Unavailable);
            return;
        }

        if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
            && context.Response.ContentLength is null && Surface.IsInfobip(context.Request.Path))
        {
            bool notFound = context.Response.StatusCode == StatusCodes.Status404NotFound;
            await InfobipErrors.WriteAsync(context, context.Response.StatusCode, notFound ? "NOT_FOUND" : "BAD_REQUEST",
                notFound ? $"Not found: no operation at {context.Request.Path}" : $"Bad request: {context.Request.Method} is not allowed on {context.Request.Path}");
        }
        else if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
            && context.Response.ContentLength is null && Surface.IsTwilio(context.Request.Path))
        {
            bool notFound = context.Response.StatusCode == StatusCodes.Status404NotFound;
            await TwilioErrorResults.WriteAsync(context, context.Response.StatusCode, notFound ? TwilioErrors.NotFound : TwilioErrorResults.MethodNotAllowed,
                notFound ? $"The requested resource {context.Request.Path} was not found" : $"Method {context.Request.Method} is not allowed on {context.Request.Path}");
        }
    }

    private static bool IsStoreFailure(Exception ex) =>
        ex is DbException or TimeoutException || ex.InnerException is DbException or TimeoutException;

    /// <summary>
    /// What the store said, for the log: the exception's type and the first line of its message
    /// ("database or disk is full", "Timeout during reading attempt"). Later lines are left out:
    /// a database's detail lines can quote the values of a row.
    /// </summary>
    private static string Describe(Exception ex)
    {
        Exception cause = ex is DbException or TimeoutException || ex.InnerException is null ? ex : ex.InnerException;
        string first = cause.Message.Split('\n', 2)[0].Trim();
        return cause.InnerException is { } inner
            ? $"{cause.GetType().Name}: {first} ({inner.GetType().Name}: {inner.Message.Split('\n', 2)[0].Trim()})"
            : $"{cause.GetType().Name}: {first}";
    }

    private static Task WriteAsync(HttpContext context, int status, string text, ErrorKind kind)
    {
        context.Response.Clear();
        if (Surface.IsInfobip(context.Request.Path))
        {
            string messageId = status == StatusCodes.Status413PayloadTooLarge ? "BAD_REQUEST" : InfobipErrors.MessageIdOf(kind);
            return InfobipErrors.WriteAsync(context, status, messageId, text);
        }

        if (Surface.IsTwilio(context.Request.Path))
        {
            return TwilioErrorResults.WriteAsync(context, status, status == StatusCodes.Status413PayloadTooLarge ? TwilioErrors.InvalidParameter : TwilioErrors.CodeOf(new TfaError(kind, text)), text);
        }

        return TypedResults.Problem(detail: text, statusCode: status).ExecuteAsync(context);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "The store is unavailable ({Reason}) while serving {Path}")]
        public static partial void StoreUnavailable(ILogger logger, string reason, string path);

        [LoggerMessage(2, LogLevel.Error, "Unexpected failure serving {Method} {Path}")]
        public static partial void Unexpected(ILogger logger, Exception exception, string method, string path);
    }
}

/// <summary>
/// Tolerates what real clients send: a repeated slash (<c>//2fa/2/…</c>, from a base URL
/// ending in a slash) and a trailing slash before the query (<c>/2fa/2/pin/?ncNeeded=false</c>).
/// The API reference keeps its paths as they are: it lives at <c>/docs/</c> with relative assets.
/// </summary>
internal sealed class PathNormalizationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        string? path = context.Request.Path.Value;
        if (path is { Length: > 1 } && (path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal))
            && !context.Request.Path.StartsWithSegments(OpenApi.ApiDocs.ReferencePath, StringComparison.OrdinalIgnoreCase))
        {
            string normalized = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
            context.Request.Path = new PathString(normalized);
        }

        return next(context);
    }
}

internal static class RequestFeatures
{
    /// <summary>Caps the body of every request (the rule is 64 KB by default).</summary>
    public static void CapBody(HttpContext context, long max)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }
    }
}
