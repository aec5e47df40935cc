using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, so the failed-
/// authentication throttle would count all clients as one. With <c>OpenTfa:TrustedProxies</c>
/// set, the client address is read from <c>X-Forwarded-For</c> (and the scheme from
/// <c>X-Forwarded-Proto</c>), but only as far back as the hops are trusted proxies; a header
/// from anyone else is ignored, so a client cannot choose its own address.
/// </summary>
internal static class ForwardedHeadersSetup
{
    public static WebApplication UseOpenTfaForwardedHeaders(this WebApplication app)
    {
        IList<string> trusted = app.Services.GetRequiredService<IOptions<OpenTfaOptions>>().Value.TrustedProxies;
        if (trusted.Count == 0)
        {
            return app;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (string entry in trusted)
        {
            if (TelemetryOptions.TryParseNetwork(entry, out System.Net.IPNetwork network))
            {
                options.KnownIPNetworks.Add(network);
            }
        }

        app.UseForwardedHeaders(options);
        return app;
    }
}
