using OpenTfa.Contracts.Twilio;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Errors;

/// <summary>Writes failures on <c>/v2/*</c> in Twilio's error shape: <c>code</c>, <c>message</c>, <c>more_info</c>, <c>status</c>.</summary>
internal static class TwilioErrorResults
{
    public const int MethodNotAllowed = 20004;

    public static IResult Result(TfaError error) => new ErrorResult(InfobipErrors.StatusOf(error.Kind), TwilioErrors.CodeOf(error), error.Text, error.RetryAfter);

    public static IResult Result(int status, int code, string message) => new ErrorResult(status, code, message, null);

    public static Task WriteAsync(HttpContext context, int status, int code, string message) => Result(status, code, message).ExecuteAsync(context);

    private sealed class ErrorResult(int status, int code, string message, TimeSpan? retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (retryAfter is { } wait)
            {
                RetryAfter.Set(httpContext.Response, wait);
            }

            if (status == StatusCodes.Status401Unauthorized)
            {
                httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"OpenTfa\"";
            }

            var body = new ErrorResource { Code = code, Message = message, MoreInfo = $"https://www.twilio.com/docs/errors/{code}", Status = status };
            return TypedResults.Json(body, TwilioJsonContext.Wire.ErrorResource, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}
