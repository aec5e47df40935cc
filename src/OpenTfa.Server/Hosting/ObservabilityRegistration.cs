using System.Net;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Logging;
using Microsoft.Extensions.Logging.Console;

namespace OpenTfa.Server.Hosting;

/// <summary>Metrics, traces, logs, webhooks, the audit trail and analytics.</summary>
internal static class ObservabilityRegistration
{
    /// <summary>Meters exported besides OpenTfa's own: ASP.NET Core, Kestrel, HttpClient, the runtime and Npgsql.</summary>
    public static readonly string[] StandardMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "System.Net.Http", "System.Net.NameResolution", "System.Runtime", "Npgsql"];

    public static WebApplicationBuilder AddOpenTfaObservability(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        // Checked by AddOpenTfa, which runs first; the exporters are chosen here from these values.
        TelemetryOptions telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        LoggingOptions logging = builder.Configuration.GetSection(LoggingOptions.Section).Get<LoggingOptions>() ?? new LoggingOptions();
        if (logging.Json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        }
        else
        {
            // JSON escapes control characters by itself; the text layout needs its own formatter for that.
            builder.Logging.AddConsole(o => o.FormatterName = SafeConsoleFormatter.Name);
            builder.Logging.AddConsoleFormatter<SafeConsoleFormatter, SimpleConsoleFormatterOptions>();
        }

        services.AddSingleton(sp => new OpenTfaMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), telemetry.ApplicationLabels));
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton(sp => new WebhookUrlPolicy(sp.GetRequiredService<WebhookOptions>()));
        services.AddSingleton<OpenTfaEvents>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<OpenTfaEvents>());
        services.AddSingleton<WebhookService>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AnalyticsService>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        DecorateOutbox(services);

        IOpenTelemetryBuilder otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(telemetry.ServiceName));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(OpenTfaMetrics.MeterName).AddMeter(StandardMeters);
            if (telemetry.MetricsEnabled)
            {
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (telemetry.OtlpEndpoint is not null)
            {
                metrics.AddOtlpExporter(o => Otlp(o, telemetry));
            }
        });
        if (telemetry.OtlpEndpoint is not null)
        {
            otel.WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(telemetry.TraceSampleRatio)))
                .AddSource(OpenTfaTelemetry.SourceName, "Npgsql")
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsQuiet(http.Request.Path, telemetry))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => Otlp(o, telemetry)));
        }

        return builder;
    }

    /// <summary>The metrics endpoint (after authentication, which it relies on).</summary>
    public static WebApplication UseOpenTfaObservability(this WebApplication app)
    {
        TelemetryOptions telemetry = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        app.Services.GetRequiredService<QueueGauges>();
        if (telemetry.MetricsEnabled)
        {
            List<IPNetwork> allowed = telemetry.MetricsAllowedNetworks.Select(n => TelemetryOptions.TryParseNetwork(n, out IPNetwork network) ? network : default).ToList();
            string path = telemetry.MetricsPath;
            // Metrics are the whole service's: only a key of the operator tenant with opentfa:metrics
            // (or opentfa:admin) reads them. Any other scrape falls through to routing, where no
            // endpoint matches: 401 without a valid key, 404 with one.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http =>
                http.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)
                && ScopeHandler.ReadsServiceMetrics(http.CallerOrNull())
                && (allowed.Count == 0 || (http.Connection.RemoteIpAddress is { } address && allowed.Any(n => n.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)))));
        }

        return app;
    }

    public static void MapOpenTfaObservability(this WebApplication app)
    {
        app.MapWebhooks();
        app.MapAudit();
        app.MapAnalytics();
    }

    private static bool IsQuiet(PathString path, TelemetryOptions telemetry) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.Equals(telemetry.MetricsPath, StringComparison.OrdinalIgnoreCase);

    private static void Otlp(OtlpExporterOptions o, TelemetryOptions telemetry)
    {
        o.Endpoint = new Uri(telemetry.OtlpEndpoint!);
        o.Protocol = telemetry.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    }

    /// <summary>Every user of the outbox (the dispatcher, channels recording receipts, callbacks) sees it through <see cref="ObservedOutboxStore"/>.</summary>
    private static void DecorateOutbox(IServiceCollection services)
    {
        ServiceDescriptor inner = services.Last(d => d.ServiceType == typeof(IOutboxStore));
        services.Remove(inner);
        services.AddSingleton<IOutboxStore>(sp => new ObservedOutboxStore(
            (IOutboxStore)(inner.ImplementationFactory?.Invoke(sp) ?? inner.ImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)),
            sp.GetRequiredService<IAnalyticsStore>(),
            sp.GetRequiredService<IEventSink>(),
            sp.GetRequiredService<OpenTfaMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ChannelActivity>()));
    }
}
