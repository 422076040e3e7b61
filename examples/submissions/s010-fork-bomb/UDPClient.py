# UDPClient.py - task 1 (RTT)
import sys
import time
from socket import *

serverName = 'server'
serverPort = 12000

message = input('Input lowercase sentence: ')
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)

sendTime = time.time()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except OSError as e:
    print('No reply from the server (%s)' % e)
    sys.exit(1)
recvTime = time.time()
clientSocket.close()

fmt = '%Y-%m-%d %H:%M:%S'
print()
print('From Server:', modifiedMessage.decode())
print('Request sent at:   ', time.strftime(fmt, time.localtime(sendTime)), '(%.6f)' % sendTime)
print('Reply received at: ', time.strftime(fmt, time.localtime(recvTime)), '(%.6f)' % recvTime)
print('RTT: %.3f ms' % ((recvTime - sendTime) * 1000))
