using OpenTfa.Core.Errors;

namespace OpenTfa.Core.Twilio;

/// <summary>Twilio's error codes for the failures of its Verify API, and the errors that carry them.</summary>
public static class TwilioErrors
{
    public const int Authentication = 20003;
    public const int NotFound = 20404;
    public const int Forbidden = 20403;
    public const int TooManyRequests = 20429;
    public const int InvalidParameter = 60200;
    public const int MaxCheckAttempts = 60202;
    public const int MaxSendAttempts = 60203;
    public const int LandlineNotSupported = 60205;
    public const int ConcurrentRequests = 60212;
    public const int ChannelDisabled = 60223;
    public const int Unavailable = 20503;

    /// <summary>The code a failure answers with when no Twilio rule named one.</summary>
    public static int CodeOf(TfaError error) => error.Code ?? error.Kind switch
    {
        ErrorKind.BadRequest or ErrorKind.Conflict => InvalidParameter,
        ErrorKind.Unauthorized => Authentication,
        ErrorKind.Forbidden => Forbidden,
        ErrorKind.NotFound => NotFound,
        ErrorKind.TooManyRequests => TooManyRequests,
        _ => Unavailable,
    };

    public static TfaError Invalid(string parameter, string problem) =>
        new(ErrorKind.BadRequest, $"Invalid parameter `{parameter}`: {problem}", new Dictionary<string, string[]> { [parameter] = [problem] }, Code: InvalidParameter);

    public static TfaError Missing(string parameter) => Invalid(parameter, "is required");

    public static TfaError NotFoundAt(string path) => new(ErrorKind.NotFound, $"The requested resource {path} was not found", Code: NotFound);

    public static TfaError TooMany(int code, string text, TimeSpan? retryAfter) => new(ErrorKind.TooManyRequests, text, RetryAfter: retryAfter, Code: code);
}
