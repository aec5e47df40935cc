using System.Globalization;

namespace OpenTfa.Server.Errors;

/// <summary>The <c>Retry-After</c> header: on every 429 with its own wait, and on every 503, whichever path answered it.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// For an outage whose end nobody knows (the store down or unable to write): about as long
    /// as a load balancer's health check takes to notice, so that clients neither hammer the node
    /// nor wait long after it recovers.
    /// </summary>
    public static readonly TimeSpan Unavailable = TimeSpan.FromSeconds(5);

    /// <summary>Whole seconds, at least one (a zero would invite an immediate retry).</summary>
    public static void Set(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1L, (long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Makes sure a 503 this request answers carries <c>Retry-After</c>, with <see cref="Unavailable"/> unless it set its own.</summary>
    public static void OnEvery503(HttpContext context) =>
        context.Response.OnStarting(static state =>
        {
            HttpResponse response = ((HttpContext)state).Response;
            if (response.StatusCode == StatusCodes.Status503ServiceUnavailable && !response.Headers.ContainsKey("Retry-After"))
            {
                Set(response, Unavailable);
            }

            return Task.CompletedTask;
        }, context);
}
