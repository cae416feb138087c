/// logsift's own grok patterns, compiled into the binary so that it works with no `patterns/`
/// directory around. A copy of `patterns/*`, file by file, byte for byte; `GrokTests` fails when
/// the two differ. After editing a pattern file, paste its new text here.
enum BuiltinPatterns {
    static let files: [(name: String, text: String)] = [
        ("grok-base", ##"""
# logsift grok base patterns.
#
# One definition per line: NAME, whitespace, then a PCRE2 regex that may use %{OTHER} references.
# The names are the well-known Logstash grok names, so patterns written for Logstash keep working;
# the regex text is logsift's own. Later definitions of a name (in a later file, or a user's own
# pattern file) override earlier ones. Keep patterns fast: prefer negated classes like [^"]*
# to lazy .*? and avoid nested quantifiers that can backtrack without end.

# Users and mail addresses
USERNAME [A-Za-z0-9._-]+
USER %{USERNAME}
EMAILLOCALPART [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}){0,63}
EMAILADDRESS %{EMAILLOCALPART}@%{HOSTNAME}

# Numbers
INT [+-]?[0-9]+
BASE10NUM (?<![0-9.+-])[+-]?(?>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)
NUMBER %{BASE10NUM}
BASE16NUM (?<![0-9A-Fa-f])[+-]?(?:0[xX])?[0-9A-Fa-f]+
BASE16FLOAT \b[+-]?(?:0[xX])?(?>[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+)\b
POSINT \b[1-9][0-9]*\b
NONNEGINT \b[0-9]+\b

# Words, spaces and catch-alls
WORD \b\w+\b
NOTSPACE \S+
SPACE \s*
DATA .*?
GREEDYDATA .*
QUOTEDSTRING (?>"[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'|`[^`\\]*(?:\\.[^`\\]*)*`)
QS %{QUOTEDSTRING}
UUID [0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}
URN urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:(?:%[0-9A-Fa-f]{2}|[0-9A-Za-z()+,.:=@;$_!*'/?#-])+

# Network addresses
CISCOMAC (?:[0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}
WINDOWSMAC (?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}
COMMONMAC (?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}
MAC (?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})
IPV4 (?<![0-9])(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])(?![0-9])
IPV6 (?<![0-9A-Fa-f])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}|(?:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4})?::(?:[0-9A-Fa-f]{1,4}:){0,5}%{IPV4}|(?:[0-9A-Fa-f]{1,4}:){6}:[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){5}(?::[0-9A-Fa-f]{1,4}){1,2}|(?:[0-9A-Fa-f]{1,4}:){4}(?::[0-9A-Fa-f]{1,4}){1,3}|(?:[0-9A-Fa-f]{1,4}:){3}(?::[0-9A-Fa-f]{1,4}){1,4}|(?:[0-9A-Fa-f]{1,4}:){2}(?::[0-9A-Fa-f]{1,4}){1,5}|(?:[0-9A-Fa-f]{1,4}:){1}(?::[0-9A-Fa-f]{1,4}){1,6}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)(?:%[0-9A-Za-z._-]+)?(?![0-9A-Fa-f])
IP (?:%{IPV6}|%{IPV4})
HOSTNAME \b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*(?:\.|\b)
IPORHOST (?:%{IP}|%{HOSTNAME})
HOST %{HOSTNAME}
HOSTPORT %{IPORHOST}:%{POSINT}

# Paths and URIs
UNIXPATH (?:/[[:alnum:]_%!$@:.,+~-]*)+
TTY /dev/(?:pts|tty[pq]?)(?:\w+)?/?[0-9]+
WINPATH (?>[A-Za-z]+:|\\)(?:\\[^\\?*]*)+
PATH (?:%{UNIXPATH}|%{WINPATH})
URIPROTO [A-Za-z][A-Za-z0-9+.-]+
URIHOST %{IPORHOST}(?::%{POSINT:port})?
URIPATH (?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+
URIQUERY [A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?<>\[\]-]*
URIPARAM \?%{URIQUERY}
URIPATHPARAM %{URIPATH}(?:\?%{URIQUERY})?
URI %{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?

# Calendar and clock
MONTH \b(?:[Jj]an(?:uary)?|[Ff]eb(?:ruary)?|[Mm]ar(?:ch)?|[Aa]pr(?:il)?|[Mm]ay|[Jj]un(?:e)?|[Jj]ul(?:y)?|[Aa]ug(?:ust)?|[Ss]ep(?:t(?:ember)?)?|[Oo]ct(?:ober)?|[Nn]ov(?:ember)?|[Dd]ec(?:ember)?)\b
MONTHNUM (?:1[0-2]|0?[1-9])
MONTHNUM2 (?:1[0-2]|0[1-9])
MONTHDAY (?:3[01]|[12][0-9]|0?[1-9])
DAY \b(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\b
YEAR (?>[0-9]{4}|[0-9]{2})
HOUR (?:2[0-3]|[01]?[0-9])
MINUTE [0-5][0-9]
SECOND (?:60|[0-5]?[0-9])(?:[:.,][0-9]+)?
TIME (?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})?(?![0-9])
DATE_US %{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}
DATE_EU %{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}
DATE_X %{YEAR}/%{MONTHNUM2}/%{MONTHDAY}
ISO8601_TIMEZONE (?:Z|[+-]%{HOUR}(?::?%{MINUTE})?)
ISO8601_SECOND %{SECOND}
TIMESTAMP_ISO8601 %{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?
DATE (?:%{DATE_US}|%{DATE_EU})
DATESTAMP %{DATE}[- ]%{TIME}
TZ (?:[APMCE][SD]T|UTC|GMT)
DATESTAMP_RFC822 %{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}
DATESTAMP_RFC2822 %{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}
DATESTAMP_OTHER %{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}
DATESTAMP_EVENTLOG %{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}
HTTPDATE %{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} [+-]?[0-9]{4}
SYSLOGTIMESTAMP %{MONTH} +%{MONTHDAY} %{TIME}

# Log levels, as applications spell them
LOGLEVEL \b(?:[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?|[Ff]atal|FATAL|[Ss]evere|SEVERE|[Aa]lert|ALERT|[Ee]merg(?:ency)?|EMERG(?:ENCY)?|[Pp]anic|PANIC)\b

"""##),
        ("httpd", ##"""
# Apache httpd access and error logs. Field names are Logstash's classic ones (clientip, verb,
# request, response, bytes, ...) so that existing configurations keep working.

HTTPDUSER (?:%{EMAILADDRESS}|%{USER})
HTTPDERROR_DATE %{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}
HTTPD_REQUESTLINE %{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?
HTTPD_COMMONLOG %{IPORHOST:clientip} %{HTTPDUSER:ident} %{HTTPDUSER:auth} \[%{HTTPDATE:timestamp}\] "(?:%{HTTPD_REQUESTLINE}|(?<rawrequest>[^"\\]*(?:\\.[^"\\]*)*))" (?:-|%{INT:response:int}) (?:-|%{INT:bytes:int})
HTTPD_COMBINEDLOG %{HTTPD_COMMONLOG} %{QS:referrer} %{QS:agent}
HTTPD20_ERRORLOG \[%{HTTPDERROR_DATE:timestamp}\] \[%{LOGLEVEL:loglevel}\] (?:\[client %{IPORHOST:clientip}\] )?%{GREEDYDATA:message}
HTTPD24_ERRORLOG \[%{HTTPDERROR_DATE:timestamp}\] \[(?:%{WORD:module})?:%{LOGLEVEL:loglevel}\] \[pid %{POSINT:pid:int}(?::tid %{INT:tid:int})?\](?: \(%{POSINT:proxy_errorcode}\)%{DATA:proxy_message}:)?(?: \[client %{IPORHOST:clientip}(?::%{POSINT:clientport:int})?\])?(?: %{DATA:errorcode}:)? %{GREEDYDATA:message}
HTTPD_ERRORLOG (?:%{HTTPD20_ERRORLOG}|%{HTTPD24_ERRORLOG})

# Older names for the same formats.
COMMONAPACHELOG %{HTTPD_COMMONLOG}
COMBINEDAPACHELOG %{HTTPD_COMBINEDLOG}

"""##),
        ("nginx", ##"""
# nginx access and error logs. Fields are named after the nginx variables that write them
# ($remote_addr -> remote_addr, $status -> status, $request_time -> request_time), and the
# request line is split into method, path (the request target, query string included) and
# protocol. Quoted values may hold nginx's escapes (\x22) or a backslash-escaped quote.

NGINX_QUOTED [^"\\]*(?:\\.[^"\\]*)*
NGINX_REQUEST (?<request>%{WORD:method} (?<path>[^\s"]+)(?: (?<protocol>[^\s"]+))?|[^"\\]*(?:\\.[^"\\]*)*)
NGINX_ACCESS_COMMON %{IPORHOST:remote_addr} - (?:-|%{NOTSPACE:remote_user}) \[%{HTTPDATE:time_local}\] "%{NGINX_REQUEST}" %{INT:status:int} %{INT:body_bytes_sent:int}
NGINX_ACCESS_COMBINED %{NGINX_ACCESS_COMMON} "%{NGINX_QUOTED:http_referer}" "%{NGINX_QUOTED:http_user_agent}"
NGINX_ACCESS_MAIN %{NGINX_ACCESS_COMBINED} "%{NGINX_QUOTED:http_x_forwarded_for}"
NGINX_REQUEST_TIME (?:-|%{NUMBER:request_time:float})
NGINX_UPSTREAM_TIME (?:-|(?<upstream_response_time>[0-9.]+(?:(?:, | : )[0-9.]+)*))
NGINX_ACCESS_TIMED %{NGINX_ACCESS_COMBINED}(?: "%{NGINX_QUOTED:http_x_forwarded_for}")? %{NGINX_REQUEST_TIME}(?: %{NGINX_UPSTREAM_TIME})?
NGINX_ERROR_DATE %{YEAR}/%{MONTHNUM2}/%{MONTHDAY} %{TIME}
NGINX_ERROR (?<timestamp>%{NGINX_ERROR_DATE}) \[%{LOGLEVEL:level}\] %{POSINT:pid:int}#%{NONNEGINT:tid:int}: (?:\*%{NONNEGINT:connection:int} )?%{GREEDYDATA:message}

"""##),
        ("postgresql", ##"""
# PostgreSQL server logs (stderr / syslog destination). The default log_line_prefix is
# '%m [%p] ' (PostgreSQL 10 and later); older servers and many setups use '%t [%p]: [%l-1] '
# and add 'user=%u,db=%d,app=%a,client=%h '.

POSTGRESQL_TIMESTAMP %{YEAR}-%{MONTHNUM2}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}(?: ?(?:%{TZ}|[A-Z]{3,5}|[+-][0-9]{2}(?::?[0-9]{2})?))?
POSTGRESQL_LEVEL (?:DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|STATEMENT|DETAIL|HINT|CONTEXT|QUERY|LOCATION)
POSTGRESQL_PREFIX %{POSTGRESQL_TIMESTAMP:timestamp} \[%{POSINT:pid:int}\]:?(?: \[%{POSINT:line_number:int}-%{POSINT:line_part:int}\])?(?: user=(?<user>[^,\s]*),db=(?<database>[^,\s]*)(?:,app=(?<application>[^,]*))?(?:,client=(?<client>[^\s]*))?)?
POSTGRESQL_DURATION duration: %{NUMBER:duration:float} ms
POSTGRESQL %{POSTGRESQL_PREFIX} %{POSTGRESQL_LEVEL:level}: +(?:%{POSTGRESQL_DURATION} +)?%{GREEDYDATA:message}

"""##),
        ("syslog", ##"""
# Syslog lines (RFC 3164 as written by syslogd/rsyslog, and RFC 5424).

PROG [^\s:\[\]]+
SYSLOGPROG %{PROG:program}(?:\[%{POSINT:pid:int}\])?
SYSLOGHOST %{IPORHOST}
SYSLOGFACILITY <%{NONNEGINT:facility:int}\.%{NONNEGINT:priority:int}>
SYSLOGPRI <%{NONNEGINT:syslog_pri:int}>
SYSLOGBASE %{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:
SYSLOGLINE (?:%{SYSLOGPRI})?%{SYSLOGBASE} ?%{GREEDYDATA:message}
SYSLOG5424PRINTASCII [!-~]+
SYSLOG5424SD (?:\[[^\]\\]*(?:\\.[^\]\\]*)*\])+
SYSLOG5424BASE %{SYSLOGPRI}%{NONNEGINT:syslog_version:int} +(?:-|%{TIMESTAMP_ISO8601:timestamp}) +(?:-|%{IPORHOST:logsource}) +(?:-|%{SYSLOG5424PRINTASCII:program}) +(?:-|%{SYSLOG5424PRINTASCII:pid}) +(?:-|%{SYSLOG5424PRINTASCII:msgid}) +(?:-|%{SYSLOG5424SD:structured_data})?
SYSLOG5424LINE %{SYSLOG5424BASE} +%{GREEDYDATA:message}

"""##),
    ]
}
