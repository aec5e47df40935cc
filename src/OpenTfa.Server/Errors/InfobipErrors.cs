using OpenTfa.Contracts;
using OpenTfa.Core.Errors;

namespace OpenTfa.Server.Errors;

/// <summary>Writes expected failures on <c>/2fa/2/*</c> in Infobip's envelope.</summary>
internal static class InfobipErrors
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    public static string MessageIdOf(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest or ErrorKind.Conflict => "BAD_REQUEST",
        ErrorKind.Unauthorized => "UNAUTHORIZED",
        ErrorKind.Forbidden => "FORBIDDEN",
        ErrorKind.NotFound => "NOT_FOUND",
        ErrorKind.TooManyRequests => "TOO_MANY_REQUESTS",
        _ => "GENERAL_ERROR",
    };

    public static IResult Result(TfaError error) => new EnvelopeResult(StatusOf(error.Kind), Envelope(MessageIdOf(error.Kind), error.Text, error.ValidationErrors), error.RetryAfter);

    public static IResult Result(int status, string messageId, string text) => new EnvelopeResult(status, Envelope(messageId, text, null), null);

    public static Task WriteAsync(HttpContext context, int status, string messageId, string text, TimeSpan? retryAfter = null) =>
        new EnvelopeResult(status, Envelope(messageId, text, null), retryAfter).ExecuteAsync(context);

    private static ApiErrorResponse Envelope(string messageId, string text, IReadOnlyDictionary<string, string[]>? validation) => new()
    {
        RequestError = new RequestError
        {
            ServiceException = new ServiceException
            {
                MessageId = messageId,
                Text = text,
                ValidationErrors = validation?.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            },
        },
    };

    private sealed class EnvelopeResult(int status, ApiErrorResponse body, TimeSpan? retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (retryAfter is { } wait)
            {
                RetryAfter.Set(httpContext.Response, wait);
            }

            return TypedResults.Json(body, OpenTfaJsonContext.Wire.ApiErrorResponse, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}

/// <summary>Writes expected failures on OpenTfa's own endpoints as ProblemDetails.</summary>
internal static class Problems
{
    public static IResult Result(TfaError error)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (error.ValidationErrors is { } validation)
        {
            extensions["errors"] = validation;
        }

        return new ProblemResult(TypedResults.Problem(detail: error.Text, statusCode: InfobipErrors.StatusOf(error.Kind), title: Title(error.Kind), extensions: extensions), error.RetryAfter);
    }

    private static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => "Bad request",
        ErrorKind.Unauthorized => "Unauthorized",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.TooManyRequests => "Too many requests",
        _ => "Service unavailable",
    };

    private sealed class ProblemResult(IResult inner, TimeSpan? retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (retryAfter is { } wait)
            {
                RetryAfter.Set(httpContext.Response, wait);
            }

            return inner.ExecuteAsync(httpContext);
        }
    }
}
