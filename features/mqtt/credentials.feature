# AT+MQTTCLIENTID, AT+MQTTUSERNAME, AT+MQTTPASSWORD: set after USERCFG.
# Sources: ESP-AT MQTT spec (each "should be set after AT+MQTTUSERCFG"; the
# whole command under 256 bytes; username and password 64 bytes in USERCFG);
# ESP-AT reference §1 (the three commands still exist in the shipped binary)
# and §2.2 (error-code lines after AT+SYSLOG=1). Which code a command gets
# before USERCFG (0x6001 AT_MQTT_NO_CONFIGURED) is not stated by the spec:
# it follows the name of the code.
@credentials @esp32 @esp8266
Feature: AT+MQTTCLIENTID, AT+MQTTUSERNAME and AT+MQTTPASSWORD override USERCFG

  Background:
    Given the device has been reset
    And I have sent AT+SYSLOG=1

  @clientid
  Scenario: AT+MQTTCLIENTID replaces the client id sent in CONNECT
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"first-id","","",0,0,""
      AT+MQTTCLIENTID=0,"credentials-client"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "credentials-client" with:
      | client id | credentials-client |

  @clientid
  Scenario: a client id longer than USERCFG could carry is accepted
    # 20 bytes of command around a 235-byte id: 255 bytes in all.
    Given I have sent AT+MQTTUSERCFG=0,1,"short","","",0,0,""
    When I send AT+MQTTCLIENTID=0,"{235 x 'k'}"
    Then the device answers OK

  @clientid
  Scenario: AT+MQTTCLIENTID before AT+MQTTUSERCFG is refused
    When I send AT+MQTTCLIENTID=0,"too-early"
    Then the device answers:
      """
      ERR CODE:0x010a6001
      ERROR
      """

  @username
  Scenario: AT+MQTTUSERNAME replaces the username sent in CONNECT
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"credentials-user","old","pw",0,0,""
      AT+MQTTUSERNAME=0,"bob"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    Then the broker received a CONNECT from "credentials-user" with:
      | username | bob |
      | password | pw  |

  @username
  Scenario: a 64-byte username is accepted
    Given I have sent AT+MQTTUSERCFG=0,1,"credentials-u64","","",0,0,""
    When I send AT+MQTTUSERNAME=0,"{64 x 'n'}"
    Then the device answers OK

  @username
  Scenario: a 65-byte username is refused
    Given I have sent AT+MQTTUSERCFG=0,1,"credentials-u65","","",0,0,""
    When I send AT+MQTTUSERNAME=0,"{65 x 'n'}"
    Then the device answers:
      """
      ERR CODE:0x010a6019
      ERROR
      """

  @username
  Scenario: AT+MQTTUSERNAME before AT+MQTTUSERCFG is refused
    When I send AT+MQTTUSERNAME=0,"too-early"
    Then the device answers:
      """
      ERR CODE:0x010a6001
      ERROR
      """

  @password
  Scenario: AT+MQTTPASSWORD replaces the password sent in CONNECT
    Given I have sent these commands, each answered OK:
      """
      AT+MQTTUSERCFG=0,1,"credentials-pass","carol","old",0,0,""
      AT+MQTTPASSWORD=0,"n3w\,pass"
      AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0
      """
    # `\,` is the AT escape for a comma inside a string (ESP-AT reference §3).
    Then the broker received a CONNECT from "credentials-pass" with:
      | username | carol    |
      | password | n3w,pass |

  @password
  Scenario: a 64-byte password is accepted
    Given I have sent AT+MQTTUSERCFG=0,1,"credentials-p64","","",0,0,""
    When I send AT+MQTTPASSWORD=0,"{64 x 'w'}"
    Then the device answers OK

  @password
  Scenario: a 65-byte password is refused
    Given I have sent AT+MQTTUSERCFG=0,1,"credentials-p65","","",0,0,""
    When I send AT+MQTTPASSWORD=0,"{65 x 'w'}"
    Then the device answers:
      """
      ERR CODE:0x010a601c
      ERROR
      """

  @password
  Scenario: AT+MQTTPASSWORD on link 1 is refused
    Given I have sent AT+MQTTUSERCFG=0,1,"credentials-l1","","",0,0,""
    When I send AT+MQTTPASSWORD=1,"pw"
    Then the device answers:
      """
      ERR CODE:0x010a6011
      ERROR
      """
