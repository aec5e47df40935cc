using OpenTfa.Core.Errors;

namespace OpenTfa.Server.Errors;

/// <summary>Which error shape a path answers in.</summary>
internal static class Surface
{
    public static bool IsInfobip(PathString path) => path.StartsWithSegments("/2fa/2", StringComparison.OrdinalIgnoreCase);

    public static bool IsTwilio(PathString path) => path.StartsWithSegments("/v2", StringComparison.OrdinalIgnoreCase);

    public static bool IsOwn(PathString path) => path.StartsWithSegments("/opentfa", StringComparison.OrdinalIgnoreCase);

    /// <summary>An expected failure in the envelope of the surface <paramref name="path"/> belongs to: Infobip's, Twilio's, or ProblemDetails.</summary>
    public static IResult ErrorResult(PathString path, TfaError error) =>
        IsInfobip(path) ? InfobipErrors.Result(error) : IsTwilio(path) ? TwilioErrorResults.Result(error) : Problems.Result(error);
}
