using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Reads the <c>unmasked</c> query flag of an <c>/opentfa/v1</c> endpoint that shows destinations,
/// under <see cref="PiiDisclosure"/>'s rule. Call it after the route's ids are found, so that a
/// foreign id still answers 404 before the scope is checked.
/// </summary>
internal static class Unmasking
{
    /// <summary>False with the problem to answer: 400 for a flag that is not a boolean, 403 for <c>true</c> without <c>opentfa:pii</c>.</summary>
    public static bool TryRead(HttpContext http, out bool unmasked, out IResult? problem)
    {
        unmasked = false;
        problem = null;
        if (!JsonBody.TryQueryBool(http.Request, "unmasked", out bool? flag, out TfaError? error))
        {
            problem = Problems.Result(error!);
            return false;
        }

        if (PiiDisclosure.Refusal(http.Caller(), flag == true) is { } refused)
        {
            problem = Problems.Result(refused);
            return false;
        }

        unmasked = flag == true;
        return true;
    }
}
